using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Veltrix.Events.Store;

namespace Veltrix.Events.Subscribing;

/// <summary>
/// Writes what this app subscribed to into the configuration store once it runs, retrying until the store takes it.
/// Control reads these reports to refuse an activation that would route events to topics nobody is subscribed to.
/// </summary>
public sealed partial class SubscriptionReporter(ConfigurationStore store, ILogger<SubscriptionReporter> logger) : BackgroundService
{
    public SubscriptionReport? Report { get; set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Report is not { } report) return;
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await store.SaveSubscriptionReportAsync(report, stoppingToken);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (attempt % 10 == 1) LogRetry(e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record this app's subscriptions yet, retrying: {Reason}")]
    private partial void LogRetry(string reason);
}
