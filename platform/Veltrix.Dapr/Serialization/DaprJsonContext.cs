using System.Text.Json;
using System.Text.Json.Serialization;
using Veltrix.Dapr.Client;
using Veltrix.Dapr.AspNetCore;
using Veltrix.Dapr.Subscriptions;

namespace Veltrix.Dapr.Serialization;

/// <summary>
/// Source-generated (de)serialisation of the library's own wire types: no reflection on the hot path and trimming-safe.
/// Case-insensitive reads because daprd decodes case-insensitively and a stand-in sidecar may vary in casing.
/// User payloads never go through this context; they use the caller's options or <see cref="System.Text.Json.Serialization.Metadata.JsonTypeInfo{T}"/>.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DaprErrorBody))]
[JsonSerializable(typeof(BulkPublishRequestEntry[]))]
[JsonSerializable(typeof(BulkPublishFailureBody))]
[JsonSerializable(typeof(StateItemWire[]))]
[JsonSerializable(typeof(BulkGetRequestWire))]
[JsonSerializable(typeof(IReadOnlyList<BulkGetItemWire>))]
[JsonSerializable(typeof(TransactionRequestWire))]
[JsonSerializable(typeof(DaprMetadata))]
[JsonSerializable(typeof(IReadOnlyList<SubscriptionJson>))]
[JsonSerializable(typeof(TopicStatusResponse))]
[JsonSerializable(typeof(BulkSubscribeAppResponseWire))]
[JsonSerializable(typeof(object))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class DaprJsonContext : JsonSerializerContext;
