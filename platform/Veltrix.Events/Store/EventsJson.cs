using System.Text.Json;
using System.Text.Json.Serialization;
using Veltrix.Events.Store;

namespace Veltrix.Events;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(StoredVersion))]
[JsonSerializable(typeof(VersionIndex))]
[JsonSerializable(typeof(ActivePointer))]
[JsonSerializable(typeof(SubscriptionReport))]
[JsonSerializable(typeof(ConfigurationNames))]
[JsonSerializable(typeof(ParkedDeadLetter))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class EventsJson : JsonSerializerContext;
