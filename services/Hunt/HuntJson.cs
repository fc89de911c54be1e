using System.Text.Json;
using System.Text.Json.Serialization;
using Veltrix.Hunt.Apis;
using Veltrix.Hunt.Domain;
using Veltrix.Events.Publishing;
using Veltrix.Hunt.Events;

namespace Veltrix.Hunt;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CreateHuntRequest))]
[JsonSerializable(typeof(HuntView))]
[JsonSerializable(typeof(SubmitAnswerRequest))]
[JsonSerializable(typeof(AnswerResult))]
[JsonSerializable(typeof(StoredHunt))]
[JsonSerializable(typeof(SolvedMarker))]
[JsonSerializable(typeof(PlayerJoin))]
[JsonSerializable(typeof(JoinRequest))]
[JsonSerializable(typeof(JoinedPlayer))]
[JsonSerializable(typeof(AnswerSubmitted))]
[JsonSerializable(typeof(PuzzleSolved))]
[JsonSerializable(typeof(RoutedEvent<PuzzleSolved>))]
internal sealed partial class HuntJson : JsonSerializerContext;
