using Grpc.Core;
using Veltrix.Resources.Diagnostics;
using Veltrix.Sidecar.Components.State;
using Veltrix.Sidecar.Runtime;

namespace Veltrix.Sidecar.Workflows;

/// <summary>
/// One engine per app, over the app's state component marked `actorStateStore: "true"` (as daprd, which keeps
/// workflow state in actor state). An app without one gets no engine, and every workflow call says how to fix it.
/// </summary>
internal sealed class WorkflowEngines
{
    private readonly Dictionary<string, WorkflowEngine> _engines = new(StringComparer.Ordinal);

    public WorkflowEngines(SidecarRuntime runtime, WorkflowLimits limits, TimeProvider time, ILoggerFactory loggers)
    {
        foreach (var app in runtime.Apps)
            if (ActorStore(app) is { } store)
                _engines[app.AppId] = new WorkflowEngine(app.AppId, store, limits, time, loggers.CreateLogger("Veltrix.Sidecar.Workflows"));
    }

    public IEnumerable<WorkflowEngine> All => _engines.Values;

    public WorkflowEngine For(AppRuntime app) => _engines.TryGetValue(app.AppId, out var engine)
        ? engine
        : throw new WorkflowException(StatusCode.FailedPrecondition,
            $"error {ErrorCodes.NoActorStateStore}: workflows of app '{app.AppId}' need an actor state store, and none of its state components is one; " +
            "set the metadata `actorStateStore: \"true\"` on one state component (as daprd requires)");

    private static IStateStore? ActorStore(AppRuntime app) =>
        app.StateStores.Values.FirstOrDefault(s => string.Equals(s.Resource.Get("actorStateStore"), "true", StringComparison.OrdinalIgnoreCase));
}
