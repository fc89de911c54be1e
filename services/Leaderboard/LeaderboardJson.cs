using System.Text.Json;
using System.Text.Json.Serialization;
using Veltrix.Leaderboard.Board;
using Veltrix.Leaderboard.Claims;
using Veltrix.Leaderboard.Events;

namespace Veltrix.Leaderboard;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PointsAwarded))]
[JsonSerializable(typeof(BoardPage))]
[JsonSerializable(typeof(LeaderboardView))]
[JsonSerializable(typeof(BoardChange))]
[JsonSerializable(typeof(PrizeClaimed))]
[JsonSerializable(typeof(StoredClaims))]
[JsonSerializable(typeof(IReadOnlyList<ClaimEntry>))]
internal sealed partial class LeaderboardJson : JsonSerializerContext;
