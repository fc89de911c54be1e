using System.Text.Json;
using System.Text.Json.Serialization;
using Veltrix.Gateway.Apis;
using Veltrix.Gateway.Events;

namespace Veltrix.Gateway;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(IngestResult))]
[JsonSerializable(typeof(AnswerSubmittedCloudEvent))]
internal sealed partial class GatewayJson : JsonSerializerContext;
