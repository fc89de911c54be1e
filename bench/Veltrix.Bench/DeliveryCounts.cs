using System.Globalization;
using System.Text.RegularExpressions;
using Veltrix.Testing;

namespace Veltrix.Bench;

/// <summary>
/// Per app, from its Prometheus /metrics: events delivered (veltrix_events_delivered_total) and the delivery requests
/// that carried them (the subscription route's request count) — the batch size the sidecar really achieved; for the
/// gateway, the events it published and the ingest requests that carried them — and,
/// for the gateway, events the sidecar accepted and refused (a refused event is sent again by the client). With the
/// time the apps' own request metrics say they spent answering those requests, what is left of a submit's latency is
/// the sidecars' and the transport's.
/// </summary>
internal sealed partial record DeliveryCounts(Dictionary<string, (double Events, double Requests, double Seconds)> Apps, double Published, double Refused)
{
    private static readonly Dictionary<string, string> Routes = new()
    {
        ["hunt"] = "/events/answer-submitted",
        ["scoring"] = "/events/puzzle-solved",
        ["leaderboard"] = "/events/points-awarded",
        ["gateway"] = "/v1/events",
    };

    public static async Task<DeliveryCounts> ReadAsync(HttpClient http, RunningSystem system)
    {
        var apps = new Dictionary<string, (double, double, double)>();
        var gateway = "";
        foreach (var (app, route) in Routes)
        {
            var text = await http.GetStringAsync(new Uri(system.Url(app), "/metrics"));
            bool OnRoute(string line) => line.Contains($"http_route=\"{route}\"", StringComparison.Ordinal);
            apps[app] = (app == "gateway" ? Sum(PublishedLine(), text, _ => true) : Sum(DeliveredLine(), text, _ => true),
                Sum(RequestCountLine(), text, OnRoute), Sum(RequestSecondsLine(), text, OnRoute));
            if (app == "gateway") gateway = text;
        }
        return new DeliveryCounts(apps, Sum(PublishedLine(), gateway, _ => true), Sum(RefusedLine(), gateway, _ => true));
    }

    public DeliveryCounts Minus(DeliveryCounts before) =>
        new(Apps.ToDictionary(a => a.Key, a => (a.Value.Events - before.Apps[a.Key].Events, a.Value.Requests - before.Apps[a.Key].Requests,
            a.Value.Seconds - before.Apps[a.Key].Seconds)), Published - before.Published, Refused - before.Refused);

    public IEnumerable<string> Describe() => Apps.Select(a => string.Create(CultureInfo.InvariantCulture,
            $"{a.Key,-12} {a.Value.Events,8:N0} events in {a.Value.Requests,6:N0} requests: {(a.Value.Requests > 0 ? a.Value.Events / a.Value.Requests : 0),6:F1} per request, {(a.Value.Requests > 0 ? a.Value.Seconds / a.Value.Requests * 1000 : 0),6:F2} ms each in the app"))
        .Append(string.Create(CultureInfo.InvariantCulture, $"{"gateway",-12} {Published,8:N0} events accepted by the sidecar, {Refused:N0} refused at a bound and sent again by the client"));

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
