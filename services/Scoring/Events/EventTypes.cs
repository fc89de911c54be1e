namespace Veltrix.Scoring.Events;

/// <summary>The event types scoring handles and publishes; where they travel is the event configuration's business.</summary>
public static class EventTypes
{
    public const string PuzzleSolved = "puzzle.solved";
    public const string PointsAwarded = "points.awarded";
}
