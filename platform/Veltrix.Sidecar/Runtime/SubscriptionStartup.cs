using Veltrix.Resources;
using Veltrix.Resources.Diagnostics;
using Veltrix.Sidecar.Delivery;
using Veltrix.Sidecar.Hosting;
using Veltrix.Sidecar.Resiliency;
using Veltrix.Sidecar.Subscriptions;

namespace Veltrix.Sidecar.Runtime;

/// <summary>
/// After the API is listening: for every app with a port, wait for the app, load its subscriptions and start
/// delivering. Until then /v1.0/healthz says why the app is not ready; a refused subscription keeps it not ready,
/// with the VX diagnostic as the reason, instead of running with part of its routing missing.
/// </summary>
public sealed class SubscriptionStartup(
    SidecarRuntime runtime, ResourceSet resources, SidecarOptions options, PolicyResolver policies, SubscriptionDiscovery discovery,
    TimeProvider time, ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<SubscriptionStartup>();
    private readonly List<ActiveSubscription> _active = [];

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(runtime.Apps.Where(a => a.Options.AppPort is not null).Select(app => StartAppAsync(app, stoppingToken)));

    private async Task StartAppAsync(AppRuntime app, CancellationToken cancellationToken)
    {
        try
        {
            var channel = new AppChannel(app.Options.AppChannelAddress, app.Options.AppPort!.Value, app.AppId, options.AppApiTokenOf(app.AppId));
            app.Channel = channel;
            await SubscriptionDiscovery.WaitForPortAsync(app.Options.AppChannelAddress, app.Options.AppPort.Value, _logger, cancellationToken);
            var (subscriptions, problems) = await discovery.DiscoverAsync(app.AppId, channel, resources.Subscriptions, cancellationToken);
            foreach (var subscription in subscriptions.Where(s => !app.PubSubs.ContainsKey(s.PubSubName)))
            {
                problems = [.. problems, new Diagnostic(ErrorCodes.UnknownPubSub, DiagnosticSeverity.Error, subscription.Location,
                    $"app '{app.AppId}' subscribes to topic '{subscription.Topic}' on pub/sub '{subscription.PubSubName}', which is not loaded for this app",
                    $"{DidYouMean.Hint(subscription.PubSubName, app.PubSubs.Keys)}pub/subs this app can use: {string.Join(", ", app.PubSubs.Keys)}")];
            }
            if (problems.Any(p => p.IsError))
            {
                foreach (var problem in problems) _logger.LogError("{Problem}", problem.ToString());
                app.MarkNotReady(string.Join("; ", problems.Select(p => p.ToString())));
                return;
            }

            var started = new List<ActiveSubscription>();
            foreach (var spec in subscriptions)
            {
                var active = new ActiveSubscription(app.AppId, spec, app.PubSubs[spec.PubSubName], channel,
                    policies.PubSubInbound(app.AppId, spec.PubSubName), time, loggers.CreateLogger<ActiveSubscription>());
                await active.StartAsync(options.SubscriptionConcurrency, cancellationToken);
                started.Add(active);
                _logger.LogInformation("{App}: subscribed to {PubSub}/{Topic} ({Kind}{Bulk}{DeadLetter})", app.AppId, spec.PubSubName, spec.Topic,
                    spec.Declarative ? "declarative" : "programmatic", spec.BulkSubscribe is { Enabled: true } ? ", bulk" : "",
                    spec.DeadLetterTopic is { } dlq ? $", dead letters to {dlq}" : "");
            }
            lock (_active) _active.AddRange(started);
            app.Subscriptions = started;
            app.MarkReady();
            _logger.LogInformation("{App}: ready with {Count} subscription(s)", app.AppId, started.Count);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // shutting down before the app came up
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        List<ActiveSubscription> active;
        lock (_active) active = [.. _active];
        foreach (var subscription in active) await subscription.DisposeAsync();
        foreach (var app in runtime.Apps) app.Channel?.Dispose();
    }
}
