using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Veltrix.Dapr.Client;

/// <summary>
/// One operation of <see cref="DaprClient.ExecuteStateTransactionAsync"/>. Same constructor as the Dapr SDK:
/// the value is the value's UTF-8 JSON (the HTTP API embeds it as JSON), so use
/// <see cref="Upsert{TValue}(string, TValue, string?, StateOptions?, IReadOnlyDictionary{string, string}?, JsonSerializerOptions?)"/>
/// to serialise a typed value.
/// </summary>
public sealed class StateTransactionRequest
{
    public StateTransactionRequest(string key, byte[]? value, StateOperationType operationType, string? etag = null,
        IReadOnlyDictionary<string, string>? metadata = null, StateOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        Key = key;
        Value = value;
        OperationType = operationType;
        ETag = etag;
        Metadata = metadata;
        Options = options;
    }

    public string Key { get; }
    public byte[]? Value { get; }
    public StateOperationType OperationType { get; }
    public string? ETag { get; }
    public IReadOnlyDictionary<string, string>? Metadata { get; }
    public StateOptions? Options { get; }

    public static StateTransactionRequest Upsert<TValue>(string key, TValue value, string? etag = null, StateOptions? options = null,
        IReadOnlyDictionary<string, string>? metadata = null, JsonSerializerOptions? jsonOptions = null) =>
        new(key, JsonSerializer.SerializeToUtf8Bytes(value, jsonOptions ?? JsonSerializerOptions.Web), StateOperationType.Upsert, etag, metadata, options);

    public static StateTransactionRequest Upsert<TValue>(string key, TValue value, JsonTypeInfo<TValue> jsonTypeInfo, string? etag = null,
        StateOptions? options = null, IReadOnlyDictionary<string, string>? metadata = null) =>
        new(key, JsonSerializer.SerializeToUtf8Bytes(value, jsonTypeInfo), StateOperationType.Upsert, etag, metadata, options);

    public static StateTransactionRequest Delete(string key, string? etag = null, StateOptions? options = null,
        IReadOnlyDictionary<string, string>? metadata = null) =>
        new(key, null, StateOperationType.Delete, etag, metadata, options);
}
