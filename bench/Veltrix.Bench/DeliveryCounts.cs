using System.Globalization;
using System.Text.RegularExpressions;
using Veltrix.Testing;

namespace Veltrix.Bench;

/// <summary>
/// Per app, from its Prometheus /metrics: the events that came through its route and the requests that carried them —
/// for a consumer the events delivered (veltrix_events_delivered_total) on its subscription route, the batch size the
/// sidecar really achieved; for the gateway the events the sidecar accepted for publishing on its ingest route — and
/// the time the app's own request metrics say it spent answering those requests (what is left of a submit's latency is
/// the sidecars' and the transport's). For the gateway also the events the sidecar refused (sent again by the client).
/// </summary>
internal sealed partial record DeliveryCounts(Dictionary<string, (double Events, double Requests, double Seconds)> Apps, double Refused)
{
    private const string Gateway = "gateway";

    private static readonly Dictionary<string, string> Routes = new()
    {
        ["hunt"] = "/events/answer-submitted",
        ["scoring"] = "/events/puzzle-solved",
        ["leaderboard"] = "/events/points-awarded",
        [Gateway] = "/v1/events",
    };

    /// <summary>The consumers' counts: the gateway publishes, it is delivered nothing.</summary>
    public IEnumerable<KeyValuePair<string, (double Events, double Requests, double Seconds)>> Consumers => Apps.Where(a => a.Key != Gateway);

    public static async Task<DeliveryCounts> ReadAsync(HttpClient http, RunningSystem system)
    {
        var apps = new Dictionary<string, (double, double, double)>();
        var refused = 0.0;
        foreach (var (app, route) in Routes)
        {
            var text = await http.GetStringAsync(new Uri(system.Url(app), "/metrics"));
            bool OnRoute(string line) => line.Contains($"http_route=\"{route}\"", StringComparison.Ordinal);
            apps[app] = (Sum(app == Gateway ? PublishedLine() : DeliveredLine(), text, _ => true), Sum(RequestCountLine(), text, OnRoute),
                Sum(RequestSecondsLine(), text, OnRoute));
            if (app == Gateway) refused = Sum(RefusedLine(), text, _ => true);
        }
        return new DeliveryCounts(apps, refused);
    }

    public DeliveryCounts Minus(DeliveryCounts before) =>
        new(Apps.ToDictionary(a => a.Key, a => (a.Value.Events - before.Apps[a.Key].Events, a.Value.Requests - before.Apps[a.Key].Requests,
            a.Value.Seconds - before.Apps[a.Key].Seconds)), Refused - before.Refused);

    public IEnumerable<string> Describe() => Apps.Select(a => string.Create(CultureInfo.InvariantCulture,
            $"{a.Key,-12} {a.Value.Events,8:N0} events in {a.Value.Requests,6:N0} requests: {(a.Value.Requests > 0 ? a.Value.Events / a.Value.Requests : 0),6:F1} per request, {(a.Value.Requests > 0 ? a.Value.Seconds / a.Value.Requests * 1000 : 0),6:F2} ms each in the app"))
        .Append(string.Create(CultureInfo.InvariantCulture, $"{Gateway,-12} {Refused:N0} events refused by the sidecar at a bound and sent again by the client"));

    private static double Sum(Regex pattern, string text, Func<string, bool> keep) =>
        text.Split('\n').Where(line => pattern.IsMatch(line) && keep(line))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    [GeneratedRegex("^veltrix_events_delivered_total[{ ]")]
    private static partial Regex DeliveredLine();

    [GeneratedRegex("^veltrix_events_published_total[{ ]")]
    private static partial Regex PublishedLine();

    [GeneratedRegex("^veltrix_events_publish_failed_total[{ ]")]
    private static partial Regex RefusedLine();

    [GeneratedRegex("^http_server_request_duration_seconds_count[{ ]")]
    private static partial Regex RequestCountLine();

    [GeneratedRegex("^http_server_request_duration_seconds_sum[{ ]")]
    private static partial Regex RequestSecondsLine();
}
