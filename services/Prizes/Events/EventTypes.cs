namespace Veltrix.Prizes.Events;

/// <summary>The event types prizes publishes; where they travel is the event configuration's business.</summary>
public static class EventTypes
{
    public const string PrizeClaimed = "prize.claimed";
}
