namespace Veltrix.Testing;

/// <summary>A throw-away Dapr resources folder for one test, filled with YAML the test writes.</summary>
public sealed class ResourcesFolder : IDisposable
{
    public ResourcesFolder(params string[] documents)
    {
        Path = Directory.CreateTempSubdirectory("veltrix-resources-").FullName;
        for (var i = 0; i < documents.Length; i++) Write($"resource{i}.yaml", documents[i]);
    }

    public string Path { get; }

    public string Write(string fileName, string yaml)
    {
        var file = System.IO.Path.Combine(Path, fileName);
        File.WriteAllText(file, yaml.ReplaceLineEndings("\n"));
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a sidecar still holding a SQLite file; the temp folder is cleaned by the OS
        }
    }
}

/// <summary>Ready-made resource documents, written the way users write them.</summary>
public static class Yaml
{
    public static string InMemoryPubSub(string name = "pubsub") => $"""
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: {name}
        spec:
          type: pubsub.in-memory
          version: v1
          metadata: []
        """;

    public static string InMemoryState(string name = "statestore") => $"""
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: {name}
        spec:
          type: state.in-memory
          version: v1
          metadata: []
        """;

    public static string SqliteState(string name, string file) => $"""
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: {name}
        spec:
          type: state.sqlite
          version: v1
          metadata:
            - name: connectionString
              value: "{file}"
        """;

    /// <summary>Inbound retries for a pub/sub component: constant 10 ms apart, optionally only for some HTTP statuses.</summary>
    public static string InboundRetry(string component, int maxRetries, string policy = "constant", string? httpStatusCodes = null,
        string? timeout = null, string? circuitBreakerTrip = null) => $"""
        apiVersion: dapr.io/v1alpha1
        kind: Resiliency
        metadata:
          name: inbound-{component}
        spec:
          policies:
            timeouts:
              attempt: {timeout ?? "30s"}
            retries:
              inbound:
                policy: {policy}
                duration: 10ms
                maxInterval: 20ms
                maxRetries: {maxRetries}
        {(httpStatusCodes is null ? "" : $"        matching:\n          httpStatusCodes: \"{httpStatusCodes}\"")}
            circuitBreakers:
              breaker:
                maxRequests: 1
                timeout: 60s
                trip: {circuitBreakerTrip ?? "consecutiveFailures > 1000"}
          targets:
            components:
              {component}:
                inbound:
                  retry: inbound
                  timeout: attempt
                  circuitBreaker: breaker
        """;
}
