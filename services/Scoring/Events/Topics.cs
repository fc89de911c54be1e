namespace Veltrix.Scoring.Events;

/// <summary>Where scoring's events travel. (Event configuration will own these names; until then, here and only here.)</summary>
public static class Topics
{
    public const string PubSub = "pubsub";
    public const string PuzzleSolved = "puzzle.solved";
    public const string PuzzleSolvedDeadLetter = "puzzle.solved.dead";
    public const string PointsAwarded = "points.awarded";
    public const string DebitRequested = "points.debit.requested";
    public const string DebitSettled = "points.debit.settled";
    public const string DebitCancelled = "points.debit.cancelled";
}
