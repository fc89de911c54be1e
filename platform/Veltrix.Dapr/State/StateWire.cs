using System.Text.Json;
using System.Text.Json.Serialization;

namespace Veltrix.Dapr.Client;

/// <summary>A state item as the save and transaction endpoints take it (contract §3.1).</summary>
internal sealed record StateItemWire(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("value")] JsonElement? Value,
    [property: JsonPropertyName("etag")] string? ETag,
    [property: JsonPropertyName("metadata")] IReadOnlyDictionary<string, string>? Metadata,
    [property: JsonPropertyName("options")] StateOptionsWire? Options);

internal sealed record StateOptionsWire(
    [property: JsonPropertyName("concurrency")] string? Concurrency,
    [property: JsonPropertyName("consistency")] string? Consistency)
{
    public static StateOptionsWire? From(StateOptions? options) =>
        options is null || (options.Concurrency is null && options.Consistency is null)
            ? null
            : new StateOptionsWire(ToWire(options.Concurrency), ToWire(options.Consistency));

    public static string? ToWire(ConcurrencyMode? mode) => mode switch
    {
        ConcurrencyMode.FirstWrite => "first-write",
        ConcurrencyMode.LastWrite => "last-write",
        _ => null,
    };

    public static string? ToWire(ConsistencyMode? mode) => mode switch
    {
        ConsistencyMode.Eventual => "eventual",
        ConsistencyMode.Strong => "strong",
        _ => null,
    };
}

internal sealed record BulkGetRequestWire(
    [property: JsonPropertyName("keys")] IReadOnlyList<string> Keys,
    [property: JsonPropertyName("parallelism")] int? Parallelism,
    [property: JsonPropertyName("metadata")] IReadOnlyDictionary<string, string>? Metadata);

/// <summary>A bulk-get answer item. daprd names the value <c>data</c> (the docs' <c>value</c> is wrong, contract §11).</summary>
internal sealed record BulkGetItemWire(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("data")] JsonElement? Data,
    [property: JsonPropertyName("etag")] string? ETag,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("metadata")] IReadOnlyDictionary<string, string>? Metadata);

internal sealed record TransactionRequestWire(
    [property: JsonPropertyName("operations")] IReadOnlyList<TransactionOperationWire> Operations,
    [property: JsonPropertyName("metadata")] IReadOnlyDictionary<string, string>? Metadata);

internal sealed record TransactionOperationWire(
    [property: JsonPropertyName("operation")] string Operation,
    [property: JsonPropertyName("request")] StateItemWire Request);
