using System.Text.Json;
using System.Text.Json.Serialization;
using Veltrix.Leaderboard.Board;
using Veltrix.Leaderboard.Events;

namespace Veltrix.Leaderboard;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PointsAwarded))]
[JsonSerializable(typeof(StoredBoard))]
[JsonSerializable(typeof(LeaderboardView))]
internal sealed partial class LeaderboardJson : JsonSerializerContext;
