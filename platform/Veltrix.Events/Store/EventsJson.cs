using System.Text.Json;
using Veltrix.Events.DeadLetters;
using System.Text.Json.Serialization;
using Dapr.AspNetCore;
using Veltrix.Events.Publishing;
using Veltrix.Events.Store;
using Veltrix.Events.Subscribing;

namespace Veltrix.Events;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(StoredVersion))]
[JsonSerializable(typeof(VersionIndex))]
[JsonSerializable(typeof(ActivePointer))]
[JsonSerializable(typeof(SubscriptionReport))]
[JsonSerializable(typeof(ConfigurationNames))]
[JsonSerializable(typeof(ParkedDeadLetter))]
[JsonSerializable(typeof(DeadLetterIndex))]
[JsonSerializable(typeof(DeadLetterSelection))]
[JsonSerializable(typeof(List<DeadLetterTypeCount>))]
[JsonSerializable(typeof(DeadLetterPage))]
[JsonSerializable(typeof(ReplayResult))]
[JsonSerializable(typeof(PurgeResult))]
[JsonSerializable(typeof(RoutedEvent<JsonElement>))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(RoutedEvent<ConfigurationActivated>))]
[JsonSerializable(typeof(BulkSubscribeAppResponse))]
[JsonSerializable(typeof(TopicStatus))]
internal sealed partial class EventsJson : JsonSerializerContext;
