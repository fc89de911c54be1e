namespace Veltrix.ServiceDefaults.Telemetry;

/// <summary>
/// Recognises the Dapr publish APIs in an outgoing request: <c>/v1.0/publish/{pubsub}/{topic}</c>,
/// <c>/v1.0-alpha1/publish/bulk/{pubsub}/{topic}</c> and <c>/v1.0/publish/bulk/{pubsub}/{topic}</c>. The topic is the
/// rest of the path (daprd allows '/' in topics), each segment unescaped. Any base path before the API is ignored.
/// </summary>
internal readonly record struct PublishRoute(string PubsubName, string Topic, bool Bulk)
{
    private const string Single = "/v1.0/publish/";
    private static readonly string[] BulkPrefixes = ["/v1.0-alpha1/publish/bulk/", "/v1.0/publish/bulk/"];

    public static bool TryParse(HttpRequestMessage request, out PublishRoute route)
    {
        route = default;
        if (request.RequestUri is not { IsAbsoluteUri: true } uri || (request.Method != HttpMethod.Post && request.Method != HttpMethod.Put))
            return false;
        var path = uri.AbsolutePath;
        foreach (var prefix in BulkPrefixes)
        {
            var at = path.IndexOf(prefix, StringComparison.Ordinal);
            if (at >= 0) return TrySplit(path[(at + prefix.Length)..], bulk: true, out route);
        }
        var single = path.IndexOf(Single, StringComparison.Ordinal);
        return single >= 0 && TrySplit(path[(single + Single.Length)..], bulk: false, out route);
    }

    private static bool TrySplit(string rest, bool bulk, out PublishRoute route)
    {
        route = default;
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == rest.Length - 1) return false;
        var pubsub = Uri.UnescapeDataString(rest[..slash]);
        var topic = string.Join('/', rest[(slash + 1)..].Split('/').Select(Uri.UnescapeDataString));
        route = new PublishRoute(pubsub, topic, bulk);
        return true;
    }
}
