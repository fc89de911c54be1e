namespace Veltrix.Resources.Components;

/// <summary>Which component types the program loading the resources can run (daprd runs them all).</summary>
public sealed record ComponentSupport(string RunnerName, IReadOnlySet<string> SupportedTypes, bool ResolvesSecrets = false)
{
    public static ComponentSupport Daprd { get; } = new("daprd", ComponentCatalog.All.Select(t => t.Type).ToHashSet(), ResolvesSecrets: true);

    /// <summary>What the Veltrix dev sidecar runs, for checks made outside it (`veltrix check`); a sidecar test keeps it true.</summary>
    public static ComponentSupport DevSidecar { get; } =
        new("the dev sidecar", new HashSet<string> { "pubsub.in-memory", "pubsub.rabbitmq", "state.in-memory", "state.sqlite", "state.postgresql" });
}
