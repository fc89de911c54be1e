namespace Veltrix.Sidecar.Operations;

/// <summary>Why a publish was refused, independent of the API it came through; each front-end maps it to its own status.</summary>
public enum PublishErrorKind
{
    PubSubNameEmpty,
    NoPubSubConfigured,
    PubSubNotFound,
    TopicEmpty,
    BadMetadata,
    /// <summary>A bulk entry without an entry ID, or with one used twice.</summary>
    BadEntryId,
    /// <summary>A bulk entry whose event does not fit its content type.</summary>
    EventDoesNotFitContentType,
    /// <summary>A `application/cloudevents+json` payload that is not a JSON object.</summary>
    CannotCreateCloudEvent,
    /// <summary>The sidecar's own back-pressure bound (VX2010): publish again later.</summary>
    BoundReached,
    /// <summary>The broker did not take the message.</summary>
    BrokerFailed,
}

/// <summary>A refused publish: the kind, daprd's message, and the component and topic for the error details.</summary>
public sealed record PublishError(PublishErrorKind Kind, string Message, string PubSub, string? Topic = null, string? BrokerError = null);
