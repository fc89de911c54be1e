using System.Text.Json;
using System.Text.Json.Serialization;
using Veltrix.Gateway.Apis;
using Veltrix.Events.Publishing;

namespace Veltrix.Gateway;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(IngestResult))]
[JsonSerializable(typeof(RoutedEvent<JsonElement>))]
internal sealed partial class GatewayJson : JsonSerializerContext;
