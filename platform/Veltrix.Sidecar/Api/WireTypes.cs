using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Veltrix.Sidecar.Api;

// The Dapr HTTP API's JSON shapes (contract §1–4), as records for source-generated serialisation.

public sealed record DaprErrorBody(string ErrorCode, string Message, JsonArray? Details = null);

public sealed record BulkPublishEntry(string? EntryId, JsonElement Event, string? ContentType, Dictionary<string, string>? Metadata);

public sealed record BulkPublishFailedEntry(string EntryId, string Error);

public sealed record BulkPublishErrorBody(IReadOnlyList<BulkPublishFailedEntry> FailedEntries, string ErrorCode);

public sealed record StateOptionsJson(string? Concurrency, string? Consistency);

public sealed record StateItemJson(string? Key, JsonElement? Value, string? Etag, Dictionary<string, string>? Metadata, StateOptionsJson? Options);

public sealed record BulkGetRequest(List<string>? Keys, int? Parallelism, Dictionary<string, string>? Metadata);

public sealed record BulkGetItem(string Key, JsonElement? Data = null, string? Etag = null, Dictionary<string, string>? Metadata = null, string? Error = null);

public sealed record TransactionOperationJson(string? Operation, StateItemJson? Request);

public sealed record TransactionRequest(List<TransactionOperationJson>? Operations, Dictionary<string, string>? Metadata);

public sealed record MetadataComponent(string Name, string Type, string Version, IReadOnlyList<string> Capabilities);

public sealed record MetadataRule(string? Match, string Path);

public sealed record MetadataSubscription(
    string Pubsubname, string Topic, IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<MetadataRule> Rules, string DeadLetterTopic, string Type);

public sealed record AppConnectionProperties(int Port, string Protocol, string ChannelAddress, int MaxConcurrency);

public sealed record MetadataResponse(
    string Id, string RuntimeVersion, IReadOnlyList<string> EnabledFeatures, IReadOnlyList<MetadataComponent> Components,
    IReadOnlyDictionary<string, string> Extended, IReadOnlyList<MetadataSubscription> Subscriptions, AppConnectionProperties? AppConnectionProperties);

// What an app answers on GET /dapr/subscribe (contract §2.1).
public sealed record ProgrammaticRule(string? Match, string? Path);

public sealed record ProgrammaticRoutes(List<ProgrammaticRule>? Rules, string? Default);

public sealed record ProgrammaticBulk(bool Enabled, int? MaxMessagesCount, int? MaxAwaitDurationMs);

public sealed record ProgrammaticSubscription(
    string? Pubsubname, string? Topic, string? Route, ProgrammaticRoutes? Routes, string? DeadLetterTopic, Dictionary<string, string>? Metadata,
    ProgrammaticBulk? BulkSubscribe);

// Deliveries to the app and its answers (contract §2.3–2.4).
public sealed record AppStatusResponse(string? Status);

public sealed record BulkDeliveryEntry(string EntryId, JsonElement Event, string ContentType, IReadOnlyDictionary<string, string> Metadata);

public sealed record BulkDeliveryRequest(
    string Id, string Type, string Topic, string Pubsubname, IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<BulkDeliveryEntry> Entries);

public sealed record BulkEntryStatus(string? EntryId, string? Status);

public sealed record BulkDeliveryResponse(List<BulkEntryStatus>? Statuses);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(DaprErrorBody))]
[JsonSerializable(typeof(List<BulkPublishEntry>))]
[JsonSerializable(typeof(BulkPublishErrorBody))]
[JsonSerializable(typeof(List<StateItemJson>))]
[JsonSerializable(typeof(BulkGetRequest))]
[JsonSerializable(typeof(List<BulkGetItem>))]
[JsonSerializable(typeof(TransactionRequest))]
[JsonSerializable(typeof(MetadataResponse))]
[JsonSerializable(typeof(List<ProgrammaticSubscription>))]
[JsonSerializable(typeof(AppStatusResponse))]
[JsonSerializable(typeof(BulkDeliveryRequest))]
[JsonSerializable(typeof(BulkDeliveryResponse))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(string))]
public sealed partial class SidecarJson : JsonSerializerContext;
