using Dapr.Client;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Veltrix.Testing;

namespace Veltrix.Sdk.Conformance.Tests;

/// <summary>
/// Checklist items 1, 2, 4 and 18 (reference §5): how the SDK finds the sidecar, what an unknown method answers,
/// and metadata. Items 1 and 2 set the process's DAPR_* variables, which the SDK reads when a builder is created,
/// so they run one at a time (one class) and put the variables back; every other test passes its endpoints explicitly.
/// </summary>
public sealed class TransportConformanceTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Item01_a_default_builder_with_only_the_port_variables_reaches_the_sidecar()
    {
        await using var harness = await Harness.StartAsync("in-memory", "in-memory");
        using var variables = new EnvironmentVariables(new()
        {
            ["DAPR_GRPC_PORT"] = harness.Sidecar.GrpcPort!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DAPR_HTTP_PORT"] = harness.Sidecar.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DAPR_GRPC_ENDPOINT"] = null,
            ["DAPR_HTTP_ENDPOINT"] = null,
        });
        using var client = new DaprClientBuilder().Build();

        Assert.True(await client.CheckHealthAsync(Cancel));
        await client.WaitForSidecarAsync(Cancel);
        Assert.Equal(harness.AppId, (await client.GetMetadataAsync(Cancel)).Id); // gRPC
    }

    [Fact]
    public async Task Item02_DAPR_GRPC_ENDPOINT_wins_over_DAPR_GRPC_PORT()
    {
        await using var harness = await Harness.StartAsync("in-memory", "in-memory");
        using var variables = new EnvironmentVariables(new()
        {
            ["DAPR_GRPC_ENDPOINT"] = $"http://127.0.0.1:{harness.Sidecar.GrpcPort}",
            ["DAPR_GRPC_PORT"] = "1", // nothing listens there: used, the calls would fail
            ["DAPR_HTTP_PORT"] = harness.Sidecar.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DAPR_HTTP_ENDPOINT"] = null,
        });
        using var client = new DaprClientBuilder().Build();

        await client.SaveStateAsync(Backends.StoreName, "k", new Order("endpoint", 1), cancellationToken: Cancel);
        Assert.Equal(new Order("endpoint", 1), await client.GetStateAsync<Order>(Backends.StoreName, "k", cancellationToken: Cancel));
    }

    [Fact]
    public async Task Item04_an_unknown_method_is_Unimplemented_and_there_is_no_reflection_service()
    {
        await using var harness = await Harness.StartAsync("in-memory", "in-memory");
        using var channel = GrpcChannel.ForAddress(harness.Sidecar.GrpcAddress);
        var invoker = channel.CreateCallInvoker();

        var unknown = await Assert.ThrowsAsync<RpcException>(() => invoker.AsyncUnaryCall(RawMethod("dapr.proto.runtime.v1.Dapr", "ConverseAlpha2"), null, new CallOptions(), new Empty()).ResponseAsync);
        var reflection = await Assert.ThrowsAsync<RpcException>(() =>
            invoker.AsyncUnaryCall(RawMethod("grpc.reflection.v1.ServerReflection", "ServerReflectionInfo"), null, new CallOptions(), new Empty()).ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, unknown.StatusCode);
        Assert.Equal(StatusCode.Unimplemented, reflection.StatusCode);
    }

    [Fact]
    public async Task Item18_GetMetadata_returns_the_app_id_and_registered_components()
    {
        await using var harness = await Harness.StartAsync("in-memory", "in-memory");

        var metadata = await harness.Client.GetMetadataAsync(Cancel);

        Assert.Equal(harness.AppId, metadata.Id);
        Assert.Contains(metadata.Components, c => c.Name == Backends.PubSubName && c.Type == "pubsub.in-memory" && c.Version == "v1");
        Assert.Contains(metadata.Components, c => c.Name == Backends.StoreName && c.Type == "state.in-memory" && c.Version == "v1");
        Assert.Equal(2, metadata.Components.Count);
    }

    [Fact]
    public async Task SetMetadata_is_visible_in_GetMetadata_extended_metadata()
    {
        await using var harness = await Harness.StartAsync("in-memory");

        await harness.Client.SetMetadataAsync("team", "veltrix", Cancel);

        Assert.Equal("veltrix", (await harness.Client.GetMetadataAsync(Cancel)).Extended["team"]);
    }

    [Fact]
    public async Task Shutdown_stops_the_sidecar_process_cleanly()
    {
        await using var harness = await Harness.StartAsync("in-memory");

        await harness.Client.ShutdownSidecarAsync(Cancel);

        Assert.Equal(0, await harness.Sidecar.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task In_multi_app_mode_each_gRPC_port_is_its_own_app_and_an_app_without_one_gets_no_listener()
    {
        using var resources = new ResourcesFolder(Yaml.InMemoryState(Backends.StoreName));
        var (sidecar, ports) = await SidecarProcess.StartForAppsAsync([("alpha", null), ("beta", null)], [resources.Path]);
        await using var _ = sidecar;

        foreach (var (appId, (http, grpc)) in ports)
        {
            using var client = new DaprClientBuilder().UseGrpcEndpoint($"http://127.0.0.1:{grpc}").UseHttpEndpoint($"http://127.0.0.1:{http}").Build();
            Assert.Equal(appId, (await client.GetMetadataAsync(Cancel)).Id);
            await client.SaveStateAsync(Backends.StoreName, "who", appId, cancellationToken: Cancel);
        }
        // Same key, two apps: the default key prefix is the app ID, so gRPC calls were resolved to their own app.
        foreach (var (appId, (http, grpc)) in ports)
        {
            using var client = new DaprClientBuilder().UseGrpcEndpoint($"http://127.0.0.1:{grpc}").UseHttpEndpoint($"http://127.0.0.1:{http}").Build();
            Assert.Equal(appId, await client.GetStateAsync<string>(Backends.StoreName, "who", cancellationToken: Cancel));
        }
    }

    [Fact]
    public async Task An_app_given_without_dapr_grpc_port_is_served_over_HTTP_only()
    {
        using var resources = new ResourcesFolder(Yaml.InMemoryState(Backends.StoreName));
        var http = FreePort.Next();
        await using var sidecar = SidecarProcess.Start(["--app", $"id=legacy,dapr-http-port={http}", "--resources-path", resources.Path], httpPort: http);
        await sidecar.WaitUntilHealthyAsync();

        Assert.Null(sidecar.GrpcPort);
        Assert.DoesNotContain("gRPC on", sidecar.Output, StringComparison.Ordinal);
        Assert.Contains("serving app 'legacy' on http://127.0.0.1:" + http + " with", sidecar.Output, StringComparison.Ordinal);
    }

    private static Method<Empty, Empty> RawMethod(string service, string name)
    {
        var marshaller = Marshallers.Create<Empty>(m => Google.Protobuf.MessageExtensions.ToByteArray(m), Empty.Parser.ParseFrom);
        return new Method<Empty, Empty>(MethodType.Unary, service, name, marshaller, marshaller);
    }
}

/// <summary>Sets process environment variables for one test and restores the previous values.</summary>
internal sealed class EnvironmentVariables : IDisposable
{
    private readonly Dictionary<string, string?> _previous = new();

    public EnvironmentVariables(Dictionary<string, string?> values)
    {
        foreach (var (name, value) in values)
        {
            _previous[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, value) in _previous) Environment.SetEnvironmentVariable(name, value);
    }
}
