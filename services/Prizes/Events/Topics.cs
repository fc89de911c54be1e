namespace Veltrix.Prizes.Events;

/// <summary>Where prizes' events travel. (Event configuration will own these names; until then, here and only here.)</summary>
public static class Topics
{
    public const string PubSub = "pubsub";
    public const string PrizeClaimed = "prize.claimed";

    /// <summary>Scoring's debit command and its answer (scoring declares the same names).</summary>
    public const string DebitRequested = "points.debit.requested";
    public const string DebitSettled = "points.debit.settled";
    public const string DebitCancelled = "points.debit.cancelled";
}
