namespace Veltrix.Sidecar.Workflows;

/// <summary>Bounds per app: instances not yet finished, and inbox events plus activities waiting for a worker.</summary>
public sealed record WorkflowLimits(int MaxRunningInstances = 10_000, int MaxQueuedWorkItems = 100_000);
