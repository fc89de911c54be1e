using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Veltrix.Events.Routing;

/// <summary>
/// Follows activations: reads the active pointer every <see cref="EventsOptions.RefreshInterval"/>, and at once when
/// the change event arrives. A process therefore routes under a newly activated version within one interval.
/// </summary>
public sealed partial class ConfigurationRefresher(ConfigurationSource source, ActiveRouting routing, IOptions<EventsOptions> options,
    ILogger<ConfigurationRefresher> logger) : BackgroundService
{
    // One pending wake-up is enough: a second signal while one waits would read the same pointer.
    private readonly Channel<bool> _wakeUps = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void RefreshNow() => _wakeUps.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                wait.CancelAfter(options.Value.RefreshInterval);
                try
                {
                    await _wakeUps.Reader.ReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // the interval passed
                }
            }
            if (stoppingToken.IsCancellationRequested) break;
            await RefreshAsync(stoppingToken);
        }
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            var (pointer, _) = await source.Store.GetActiveAsync(cancellationToken);
            if (pointer is null || !routing.IsLoaded) return;
            var current = routing.Current;
            if (current.Name == pointer.Name && current.Version == pointer.Version) return;
            routing.Activate(await source.LoadAsync(pointer.Name, pointer.Version, cancellationToken));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRefreshFailed(e.Message, routing.IsLoaded ? routing.Current.Label : "none");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the active event configuration, still routing under {Current}: {Reason}")]
    private partial void LogRefreshFailed(string reason, string current);
}
