namespace Veltrix.Sidecar.Workflows;

/// <summary>
/// Where a workflow instance lives in the actor state store, modelled on daprd's actor-state layout
/// (`{appId}||{actorType}||{instanceId}||{key}`, actor type `dapr.internal.default.{appId}.workflow`): one metadata
/// key, one key per history event and one per inbox event, each event a protobuf `HistoryEvent`. The per-app index of
/// instance IDs is the one key daprd does not have (it finds instances through its actor placement); the dev sidecar
/// needs it to recover and to list instances after a restart.
/// </summary>
internal static class WorkflowKeys
{
    public static string ActorType(string appId) => $"dapr.internal.default.{appId}.workflow";

    public static string Index(string appId) => $"{appId}||{ActorType(appId)}||instances";

    public static string Metadata(string appId, string instanceId) => $"{Prefix(appId, instanceId)}metadata";

    public static string History(string appId, string instanceId, int index) => $"{Prefix(appId, instanceId)}history-{index:D6}";

    public static string Inbox(string appId, string instanceId, long sequence) => $"{Prefix(appId, instanceId)}inbox-{sequence:D6}";

    private static string Prefix(string appId, string instanceId) => $"{appId}||{ActorType(appId)}||{instanceId}||";
}
