using System.Text.Json;
using System.Text.Json.Serialization;
using Veltrix.Events.Publishing;
using Veltrix.Scoring.Apis;
using Veltrix.Scoring.Events;

namespace Veltrix.Scoring.Ledger;

/// <summary>Source-generated JSON for the debit command (apart from <see cref="ScoringJson"/>, which the award path owns).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(DebitRecord))]
[JsonSerializable(typeof(PlayerLedger))]
[JsonSerializable(typeof(RoutedEvent<PointsAwarded>))]
[JsonSerializable(typeof(DebitSettled))]
[JsonSerializable(typeof(DebitRequest))]
internal sealed partial class DebitJson : JsonSerializerContext;
