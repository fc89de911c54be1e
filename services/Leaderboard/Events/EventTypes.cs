namespace Veltrix.Leaderboard.Events;

/// <summary>The event types the leaderboard handles; where they travel is the event configuration's business.</summary>
public static class EventTypes
{
    public const string PointsAwarded = "points.awarded";
    public const string PrizeClaimed = "prize.claimed";
}
