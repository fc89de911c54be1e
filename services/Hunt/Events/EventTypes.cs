namespace Veltrix.Hunt.Events;

/// <summary>The event types hunt handles and publishes; where they travel is the event configuration's business.</summary>
public static class EventTypes
{
    public const string AnswerSubmitted = "answer.submitted";
    public const string PuzzleSolved = "puzzle.solved";
}
