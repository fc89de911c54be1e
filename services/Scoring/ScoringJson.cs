using System.Text.Json;
using System.Text.Json.Serialization;
using Veltrix.Events.Publishing;
using Veltrix.Scoring.Events;
using Veltrix.Scoring.Ledger;

namespace Veltrix.Scoring;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PuzzleSolved))]
[JsonSerializable(typeof(PointsAwarded))]
[JsonSerializable(typeof(RoutedEvent<PointsAwarded>))]
[JsonSerializable(typeof(PlayerLedger))]
[JsonSerializable(typeof(AwardRecord))]
internal sealed partial class ScoringJson : JsonSerializerContext;
