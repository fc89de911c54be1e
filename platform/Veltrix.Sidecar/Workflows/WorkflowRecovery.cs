namespace Veltrix.Sidecar.Workflows;

/// <summary>At start-up, every app's engine reloads its instances and re-arms timers, turns and activities.</summary>
internal sealed class WorkflowRecovery(WorkflowEngines engines) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var engine in engines.All) await engine.RecoverAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
