using System.Net.Sockets;
using System.Text.Json;
using Veltrix.Resources.Diagnostics;
using Veltrix.Resources.Subscriptions;
using Veltrix.Sidecar.Api;
using Veltrix.Sidecar.Delivery;

namespace Veltrix.Sidecar.Subscriptions;

/// <summary>
/// Finds an app's subscriptions the way daprd does: wait until the app port accepts connections, ask
/// GET /dapr/subscribe (3 tries, backing off from 500 ms), and merge the answer with the declarative Subscription
/// resources scoped to the app. Routing rules the dev sidecar cannot evaluate exactly are refused, never guessed.
/// </summary>
public sealed class SubscriptionDiscovery(ILogger<SubscriptionDiscovery> logger)
{
    public static async Task WaitForPortAsync(string address, int port, ILogger logger, CancellationToken cancellationToken)
    {
        var waitingSince = DateTime.UtcNow;
        var lastLog = DateTime.UtcNow;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(address, port, cancellationToken);
                return;
            }
            catch (SocketException)
            {
                if (DateTime.UtcNow - lastLog > TimeSpan.FromSeconds(5))
                {
                    logger.LogInformation("waiting for the app on {Address}:{Port} ({Seconds:F0}s so far)", address, port, (DateTime.UtcNow - waitingSince).TotalSeconds);
                    lastLog = DateTime.UtcNow;
                }
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    /// <summary>Returns the merged subscriptions, or the diagnostics that make them unusable.</summary>
    public async Task<(IReadOnlyList<SubscriptionResource> Subscriptions, IReadOnlyList<Diagnostic> Problems)> DiscoverAsync(
        string appId, AppChannel channel, IReadOnlyList<SubscriptionResource> declarative, CancellationToken cancellationToken)
    {
        var problems = new List<Diagnostic>();
        var programmatic = await AskAppAsync(appId, channel, problems, cancellationToken);
        var merged = new List<SubscriptionResource>();
        foreach (var subscription in declarative.Where(s => s.AppliesTo(appId)).Concat(programmatic))
        {
            if (merged.Any(m => m.PubSubName == subscription.PubSubName && m.Topic == subscription.Topic))
            {
                logger.LogWarning("{App}: a second subscription to {PubSub}/{Topic} ({Source}) is ignored; one subscription per topic and app",
                    appId, subscription.PubSubName, subscription.Topic, subscription.Location);
                continue;
            }
            merged.Add(subscription);
        }
        return (merged, problems);
    }

    private async Task<IReadOnlyList<SubscriptionResource>> AskAppAsync(string appId, AppChannel channel, List<Diagnostic> problems, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        AppResponse response = new(null, [], "not asked");
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            response = await channel.SendAsync(HttpMethod.Get, "/dapr/subscribe", null, null, [new("Content-Type", "application/json")], cancellationToken);
            if (response.Status is not null) break;
            await Task.Delay(delay, cancellationToken);
            delay *= 2;
        }
        if (response.Status == 404) return [];
        if (response.Status != 200)
        {
            logger.LogError("{App}: GET /dapr/subscribe answered {Status}; the app has no programmatic subscriptions", appId, response.Status?.ToString() ?? response.Failure);
            return [];
        }
        if (response.Body.Length == 0) return [];

        List<ProgrammaticSubscription>? items;
        var source = new SourceLocation($"{channel.BaseAddress}dapr/subscribe", 1, 1);
        try
        {
            items = JsonSerializer.Deserialize(response.Body, SidecarJson.Default.ListProgrammaticSubscription);
        }
        catch (JsonException e)
        {
            problems.Add(new Diagnostic(ErrorCodes.ProgrammaticSubscriptionInvalid, DiagnosticSeverity.Error, source,
                $"app '{appId}' answered GET /dapr/subscribe with invalid JSON: {e.Message}", "return a JSON array of subscription objects"));
            return [];
        }

        var sink = new DiagnosticSink(problems);
        var result = new List<SubscriptionResource>();
        for (var index = 0; index < (items?.Count ?? 0); index++)
        {
            var item = items![index];
            var at = source with { Line = index + 1 };
            if (string.IsNullOrWhiteSpace(item.Pubsubname) || string.IsNullOrWhiteSpace(item.Topic))
            {
                sink.Error(ErrorCodes.ProgrammaticSubscriptionInvalid, at, $"subscription #{index + 1} of app '{appId}' has no pubsubname or topic",
                    "every item of /dapr/subscribe needs pubsubname and topic");
                continue;
            }
            var owner = $"app '{appId}' subscription to {item.Pubsubname}/{item.Topic}";
            var rules = new List<RouteRule>();
            var valid = true;
            foreach (var rule in item.Routes?.Rules ?? [])
            {
                if (string.IsNullOrWhiteSpace(rule.Path)) continue;
                if (RoutingRule.Parse(rule.Match, rule.Path, at, owner, sink) is { } parsed) rules.Add(parsed);
                else valid = false;
            }
            var defaultRoute = !string.IsNullOrWhiteSpace(item.Routes?.Default) ? item.Routes.Default : item.Route;
            if (!valid) continue;
            if (rules.Count == 0 && string.IsNullOrWhiteSpace(defaultRoute))
            {
                logger.LogWarning("{Owner} has no route and is ignored, as daprd does", owner);
                continue;
            }
            var bulk = item.BulkSubscribe is { } b
                ? new BulkSubscribeSpec(b.Enabled, b.MaxMessagesCount is > 0 ? b.MaxMessagesCount.Value : 100, b.MaxAwaitDurationMs is > 0 ? b.MaxAwaitDurationMs.Value : 1000)
                : null;
            result.Add(new SubscriptionResource($"{appId}-{item.Topic}", item.Pubsubname, item.Topic, rules, string.IsNullOrWhiteSpace(defaultRoute) ? null : defaultRoute,
                string.IsNullOrWhiteSpace(item.DeadLetterTopic) ? null : item.DeadLetterTopic, item.Metadata ?? [], bulk, [], at, Declarative: false));
        }
        return result;
    }
}
