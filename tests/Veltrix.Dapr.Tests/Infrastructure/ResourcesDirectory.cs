using Veltrix.Testing;

namespace Veltrix.Dapr.Tests.Infrastructure;

/// <summary>The resources these tests start the sidecar with: in-memory pub/sub and state, plus what a test adds.</summary>
internal static class ResourcesDirectory
{
    /// <summary>Constant 10 ms retries, two of them, on deliveries from the "pubsub" component.</summary>
    public static string QuickInboundRetries { get; } = Yaml.InboundRetry("pubsub", maxRetries: 2);

    public static ResourcesFolder Create(params string[] extraDocuments) =>
        new([Yaml.InMemoryPubSub(), Yaml.InMemoryState(), .. extraDocuments]);
}
