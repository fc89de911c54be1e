using Veltrix.Sidecar.CloudEvents;
using Veltrix.Sidecar.Components.PubSub;
using Veltrix.Sidecar.Runtime;

namespace Veltrix.Sidecar.Operations;

/// <summary>
/// Publish and bulk publish, once for both APIs: the checks in daprd's order, the CloudEvent envelope (or the raw
/// payload with `rawPayload`), the metadata overrides, and the component call. The HTTP and gRPC front-ends only
/// translate their request into a <see cref="PublishRequest"/> and the <see cref="PublishError"/> into their status.
/// </summary>
public sealed class Publishing(TimeProvider time)
{
    /// <summary>
    /// The checks that need no payload (component, topic, `rawPayload`), so a front-end can refuse before reading
    /// a body, as daprd does; the publish calls repeat them.
    /// </summary>
    public static PublishError? Check(AppRuntime app, string pubsub, string? topic, IReadOnlyDictionary<string, string> metadata)
    {
        if (Resolve(app, pubsub, topic) is { } error) return error;
        return RawPayload(metadata) is null ? BadMetadata(pubsub, metadata) : null;
    }

    public async Task<PublishError?> PublishAsync(AppRuntime app, PublishRequest request, CancellationToken cancellationToken)
    {
        if (Check(app, request.PubSub, request.Topic, request.Metadata) is { } error) return error;
        var raw = RawPayload(request.Metadata)!.Value;
        var context = Context(app, request.PubSub, request.Topic!, request.Metadata, request.TraceParent, request.TraceState);
        if (Envelope(raw, request.Data, request.ContentType, context) is not { } data)
            return new PublishError(PublishErrorKind.CannotCreateCloudEvent, "cannot create cloudevent", request.PubSub, request.Topic);
        try
        {
            var contentType = raw ? request.ContentType ?? "application/octet-stream" : CloudEventEnvelope.CloudEventsContentType;
            await app.PubSubs[request.PubSub].PublishAsync(new PubSubMessage(request.Topic!, data, contentType, request.Metadata), cancellationToken);
        }
        catch (PublishException e)
        {
            return PublishFailed(request.PubSub, request.Topic!, e.Message, e.BoundReached);
        }
        return null;
    }

    /// <summary>
    /// Either a refusal of the whole request (nothing was published) or the entries the broker did not take
    /// (empty: all published).
    /// </summary>
    public async Task<(PublishError? Error, IReadOnlyList<FailedEntry> Failed)> BulkPublishAsync(
        AppRuntime app, BulkPublishRequest request, CancellationToken cancellationToken)
    {
        if (Check(app, request.PubSub, request.Topic, request.Metadata) is { } error) return (error, []);

        // A batch the broker would refuse whole anyway is refused before any envelope is built: under overload most of a
        // refused publish's cost was building the CloudEvents it then threw away.
        if (app.PubSubs[request.PubSub].RefusesBatch(request.Topic!, request.Entries.Count) is { } full)
            return (null, request.Entries.Select(e => new FailedEntry(e.EntryId ?? "", full, BoundReached: true)).ToList());

        var messages = new List<PubSubMessage>(request.Entries.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in request.Entries)
        {
            if (string.IsNullOrEmpty(entry.EntryId))
                return (EntryError(PublishErrorKind.BadEntryId, request, "entryId is duplicated or not present for entry"), []);
            if (!seen.Add(entry.EntryId))
                return (EntryError(PublishErrorKind.BadEntryId, request, $"entryId {entry.EntryId} is duplicated or not present for entry"), []);
            var contentType = string.IsNullOrEmpty(entry.ContentType) ? "application/json" : entry.ContentType;
            if (entry.Event is not { } body)
                return (EntryError(PublishErrorKind.EventDoesNotFitContentType, request,
                    $"error when marshaling message for entryId {entry.EntryId}: the event does not match content type {contentType}"), []);
            // An entry without metadata of its own (the usual case) uses the request's, which nothing changes: one
            // dictionary per batch instead of one per event, each alive as long as its event waits in a queue.
            var metadata = entry.Metadata is { Count: > 0 } own ? Merged(request.Metadata, own) : request.Metadata;
            if (RawPayload(metadata) is not { } raw) return (BadMetadata(request.PubSub, metadata), []);
            var context = Context(app, request.PubSub, request.Topic!, metadata, request.TraceParent, request.TraceState);
            if (Envelope(raw, body, contentType, context) is not { } data)
                return (new PublishError(PublishErrorKind.CannotCreateCloudEvent, "cannot create cloudevent", request.PubSub, request.Topic), []);
            messages.Add(new PubSubMessage(request.Topic!, data, raw ? contentType : CloudEventEnvelope.CloudEventsContentType, metadata));
        }

        var failures = await app.PubSubs[request.PubSub].BulkPublishAsync(messages, cancellationToken);
        return (null, failures.Select(f => new FailedEntry(request.Entries[f.Index].EntryId!, f.Error, f.BoundReached)).ToList());
    }

    private static Dictionary<string, string> Merged(IReadOnlyDictionary<string, string> request, IReadOnlyDictionary<string, string> entry)
    {
        var metadata = new Dictionary<string, string>(request, StringComparer.Ordinal);
        foreach (var (key, value) in entry) metadata[key] = value; // entry metadata wins
        return metadata;
    }

    /// <summary>daprd's wording for a publish the broker (or the bound in front of it) refused.</summary>
    public static PublishError PublishFailed(string pubsub, string topic, string error, bool boundReached) =>
        new(boundReached ? PublishErrorKind.BoundReached : PublishErrorKind.BrokerFailed,
            $"error when publishing to topic {topic} in pubsub {pubsub}: {error}", pubsub, topic, error);

    /// <summary>The bytes that go on the broker: raw as given, a completed CloudEvent, or a new envelope. Null: not a CloudEvent object.</summary>
    private static ReadOnlyMemory<byte>? Envelope(bool raw, ReadOnlyMemory<byte> body, string? contentType, EnvelopeContext envelope)
    {
        if (raw) return body;
        if (!CloudEventEnvelope.IsCloudEvent(contentType ?? "")) return CloudEventEnvelope.Wrap(body.Span, contentType, envelope);
        try
        {
            return CloudEventEnvelope.Complete(body.Span, envelope);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static PublishError? Resolve(AppRuntime app, string pubsub, string? topic)
    {
        if (string.IsNullOrEmpty(pubsub)) return new PublishError(PublishErrorKind.PubSubNameEmpty, "pubsub name is empty", pubsub);
        if (app.PubSubs.Count == 0) return new PublishError(PublishErrorKind.NoPubSubConfigured, $"pubsub {pubsub} is not configured", pubsub);
        if (!app.PubSubs.ContainsKey(pubsub)) return new PublishError(PublishErrorKind.PubSubNotFound, $"pubsub {pubsub} is not found", pubsub);
        if (string.IsNullOrEmpty(topic)) return new PublishError(PublishErrorKind.TopicEmpty, $"topic is empty in pubsub {pubsub}", pubsub);
        return null;
    }

    private static bool? RawPayload(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue("rawPayload", out var text)) return false;
        return bool.TryParse(text, out var raw) ? raw : null;
    }

    private static PublishError BadMetadata(string pubsub, IReadOnlyDictionary<string, string> metadata) =>
        new(PublishErrorKind.BadMetadata, $"failed deserializing metadata. Error: rawPayload value '{metadata["rawPayload"]}' is not a boolean", pubsub);

    private static PublishError EntryError(PublishErrorKind kind, BulkPublishRequest request, string message) => new(kind, message, request.PubSub, request.Topic);

    private EnvelopeContext Context(AppRuntime app, string pubsub, string topic, IReadOnlyDictionary<string, string> metadata, string? traceParent, string? traceState) =>
        new(app.AppId, pubsub, topic, NonEmpty(traceParent), NonEmpty(traceState), metadata, time.GetUtcNow());

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
