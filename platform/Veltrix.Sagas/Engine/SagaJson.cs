using System.Text.Json;
using System.Text.Json.Serialization;

namespace Veltrix.Sagas;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SagaDocument))]
[JsonSerializable(typeof(SagaIndexShard))]
[JsonSerializable(typeof(SagaStatusView))]
[JsonSerializable(typeof(SagaListPage))]
[JsonSerializable(typeof(SagaStartResponse))]
[JsonSerializable(typeof(SagaEventResponse))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class SagaJson : JsonSerializerContext;
