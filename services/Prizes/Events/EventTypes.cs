namespace Veltrix.Prizes.Events;

/// <summary>The event types prizes publishes and handles; where they travel is the event configuration's business.</summary>
public static class EventTypes
{
    public const string PrizeClaimed = "prize.claimed";

    /// <summary>Scoring's debit command and its answer.</summary>
    public const string DebitRequested = "points.debit.requested";
    public const string DebitSettled = "points.debit.settled";
    public const string DebitCancelled = "points.debit.cancelled";
}
