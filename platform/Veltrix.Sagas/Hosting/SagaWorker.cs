using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Veltrix.Sagas;

/// <summary>
/// Runs the engine in the app: <see cref="SagaOptions.MaxConcurrentTicks"/> consumers of the in-process queue, and a
/// sweeper that every <see cref="SagaOptions.SweepInterval"/> queues what the index shows as due — which is how
/// retries, timers, wait deadlines and the instances of a crashed worker are picked up after a restart.
/// </summary>
internal sealed partial class SagaWorker(SagaEngine engine, SagaQueue queue, SagaOptions options, TimeProvider time, ILogger<SagaWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var consumers = Enumerable.Range(0, options.MaxConcurrentTicks).Select(_ => ConsumeAsync(stoppingToken)).ToList();
        await SweepAsync(stoppingToken);
        await Task.WhenAll(consumers);
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.SweepInterval, time);
        do
        {
            try
            {
                foreach (var id in await engine.DueAsync(stoppingToken)) queue.Nudge(id);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogSweepFailed(logger, e.Message);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task ConsumeAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var id in queue.Reader.ReadAllAsync(stoppingToken))
            {
                do
                {
                    try
                    {
                        await engine.TickAsync(id, stoppingToken);
                    }
                    catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                    {
                        // Store outage or lost race: nothing is marked failed for infrastructure errors; the sweeper retries.
                        LogTickFailed(logger, id, e.Message);
                    }
                }
                while (!stoppingToken.IsCancellationRequested && queue.Done(id));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "saga sweep failed (retried in the next sweep): {Error}")]
    private static partial void LogSweepFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "saga {InstanceId}: tick failed (the sweeper comes back to it): {Error}")]
    private static partial void LogTickFailed(ILogger logger, string instanceId, string error);
}
