using Veltrix.Resources.Components;
using Veltrix.Resources.Diagnostics;
using Veltrix.Resources.Resiliency;
using Veltrix.Resources.Subscriptions;

namespace Veltrix.Resources;

/// <summary>Everything read from the resources paths, with every diagnostic found on the way.</summary>
public sealed record ResourceSet(
    IReadOnlyList<ComponentResource> Components,
    IReadOnlyList<SubscriptionResource> Subscriptions,
    IReadOnlyList<ResiliencyResource> Resiliencies,
    IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);

    public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.IsError);
}
