namespace Veltrix.Dapr.Tests.Infrastructure;

/// <summary>A throw-away Dapr resources folder: in-memory pub/sub and state, plus whatever YAML a test adds.</summary>
internal sealed class ResourcesDirectory : IDisposable
{
    public const string PubSubAndState = """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata: {name: pubsub}
        spec: {type: pubsub.in-memory, version: v1, metadata: []}
        ---
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata: {name: statestore}
        spec: {type: state.in-memory, version: v1, metadata: []}
        """;

    /// <summary>Constant 10 ms retries, two of them, on deliveries from the "pubsub" component.</summary>
    public const string QuickInboundRetries = """
        apiVersion: dapr.io/v1alpha1
        kind: Resiliency
        metadata: {name: quick-retries}
        spec:
          policies:
            retries:
              quick:
                policy: constant
                duration: 10ms
                maxRetries: 2
          targets:
            components:
              pubsub:
                inbound:
                  retry: quick
        """;

    private ResourcesDirectory(string path) => Path = path;

    public string Path { get; }

    public static ResourcesDirectory Create(params string[] extraDocuments)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "veltrix-dapr-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        File.WriteAllText(System.IO.Path.Combine(path, "components.yaml"), PubSubAndState + "\n");
        for (var i = 0; i < extraDocuments.Length; i++)
            File.WriteAllText(System.IO.Path.Combine(path, $"extra-{i}.yaml"), extraDocuments[i] + "\n");
        return new ResourcesDirectory(path);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A sidecar still holding a file must not fail the test; the temp folder is cleaned by the OS.
        }
    }
}
