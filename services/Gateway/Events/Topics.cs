namespace Veltrix.Gateway.Events;

/// <summary>Where the gateway publishes. (Event configuration will own these names; until then, here and only here.)</summary>
public static class Topics
{
    public const string PubSub = "pubsub";
    public const string AnswerSubmitted = "answer.submitted";
}
