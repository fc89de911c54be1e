namespace Veltrix.Resources.Components;

/// <summary>Which component types the program loading the resources can run (daprd runs them all).</summary>
public sealed record ComponentSupport(string RunnerName, IReadOnlySet<string> SupportedTypes)
{
    public static ComponentSupport Daprd { get; } = new("daprd", ComponentCatalog.All.Select(t => t.Type).ToHashSet());
}
