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

    /// <summary>`pubsub.rabbitmq` on the test broker; extra metadata as (name, value) pairs.</summary>
    public static string RabbitMqPubSub(string name = "pubsub", params (string Name, string Value)[] metadata) => $"""
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: {name}
        spec:
          type: pubsub.rabbitmq
          version: v1
          metadata:
            - name: connectionString
              value: "{TestServers.RabbitMq}"
        {string.Concat(metadata.Select(m => $"    - name: {m.Name}\n      value: \"{m.Value}\"\n"))}
        """;

    /// <summary>`state.postgresql` v2 on the test server, with its own table prefix so runs and fixtures never share rows.</summary>
    public static string PostgresState(string name, string tablePrefix, string? cleanupInterval = null, string? metadataTable = null) => $"""
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: {name}
        spec:
          type: state.postgresql
          version: v2
          metadata:
            - name: connectionString
              value: "{TestServers.Postgres}"
            - name: tablePrefix
              value: "{tablePrefix}"
        {(cleanupInterval is null ? "" : $"    - name: cleanupInterval\n      value: \"{cleanupInterval}\"\n")}{(metadataTable is null ? "" : $"    - name: metadataTableName\n      value: \"{metadataTable}\"\n")}
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
