namespace Veltrix.Leaderboard.Events;

/// <summary>Where the leaderboard's events come from. (Event configuration will own these names; until then, here and only here.)</summary>
public static class Topics
{
    public const string PubSub = "pubsub";
    public const string PointsAwarded = "points.awarded";
    public const string PointsAwardedDeadLetter = "points.awarded.dead";
}
