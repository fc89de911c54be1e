namespace Veltrix.Hunt.Events;

/// <summary>Where hunt's events travel. (Event configuration will own these names; until then, here and only here.)</summary>
public static class Topics
{
    public const string PubSub = "pubsub";
    public const string AnswerSubmitted = "answer.submitted";
    public const string AnswerSubmittedDeadLetter = "answer.submitted.dead";
    public const string PuzzleSolved = "puzzle.solved";
}
