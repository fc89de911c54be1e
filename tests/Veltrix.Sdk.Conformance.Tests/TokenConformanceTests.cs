using Dapr;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Veltrix.Testing;
using DaprApi = Dapr.Client.Autogen.Grpc.v1.Dapr;

namespace Veltrix.Sdk.Conformance.Tests;

/// <summary>One sidecar with DAPR_API_TOKEN set, shared by the token theory (its rows never stop it).</summary>
public sealed class TokenSidecar : IAsyncLifetime
{
    public const string Token = "the-right-token";

    public Harness Harness { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Harness = await Harness.StartAsync("in-memory", "in-memory", apiToken: Token);

    public async ValueTask DisposeAsync() => await Harness.DisposeAsync();
}

/// <summary>
/// Checklist item 3: with DAPR_API_TOKEN set, every gRPC method — implemented or not — needs metadata
/// `dapr-api-token` equal to it; without it or with a wrong one the answer is `Unauthenticated` / `Unauthorized`.
/// </summary>
public sealed class TokenConformanceTests(TokenSidecar sidecar) : IClassFixture<TokenSidecar>
{
    private static readonly Dictionary<string, Func<DaprApi.DaprClient, Metadata, Task>> Calls = new()
    {
        ["PublishEvent"] = async (c, m) => await c.PublishEventAsync(new PublishEventRequest { PubsubName = "pubsub", Topic = "t", Data = Json("{}"), DataContentType = "application/json" }, m),
        ["BulkPublishEvent"] = async (c, m) => await c.BulkPublishEventAsync(Bulk(), m),
#pragma warning disable CS0612 // the SDK still falls back to the Alpha1 name (reference §1.5), so the sidecar serves it
        ["BulkPublishEventAlpha1"] = async (c, m) => await c.BulkPublishEventAlpha1Async(Bulk(), m),
#pragma warning restore CS0612
        ["GetState"] = async (c, m) => await c.GetStateAsync(new GetStateRequest { StoreName = "statestore", Key = "k" }, m),
        ["GetBulkState"] = async (c, m) => await c.GetBulkStateAsync(new GetBulkStateRequest { StoreName = "statestore", Keys = { "k" } }, m),
        ["SaveState"] = async (c, m) => await c.SaveStateAsync(new SaveStateRequest { StoreName = "statestore", States = { new StateItem { Key = "k", Value = Json("1") } } }, m),
        ["DeleteState"] = async (c, m) => await c.DeleteStateAsync(new DeleteStateRequest { StoreName = "statestore", Key = "k" }, m),
        ["DeleteBulkState"] = async (c, m) => await c.DeleteBulkStateAsync(new DeleteBulkStateRequest { StoreName = "statestore", States = { new StateItem { Key = "k" } } }, m),
        ["ExecuteStateTransaction"] = async (c, m) => await c.ExecuteStateTransactionAsync(new ExecuteStateTransactionRequest
        {
            StoreName = "statestore", Operations = { new TransactionalStateOperation { OperationType = "upsert", Request = new StateItem { Key = "k", Value = Json("2") } } },
        }, m),
        ["GetMetadata"] = async (c, m) => await c.GetMetadataAsync(new GetMetadataRequest(), m),
        ["SetMetadata"] = async (c, m) => await c.SetMetadataAsync(new SetMetadataRequest { Key = "a", Value = "b" }, m),
        ["Shutdown"] = async (c, m) => await c.ShutdownAsync(new ShutdownRequest(), m),
        ["InvokeBinding (not implemented)"] = async (c, m) => await c.InvokeBindingAsync(new InvokeBindingRequest { Name = "b", Operation = "create" }, m),
    };

    // Workflow RPCs live on the same port in daprd and need the token too; Hello (the worker's keep-alive) answers OK with it.
    private static readonly Method<Google.Protobuf.WellKnownTypes.Empty, Google.Protobuf.WellKnownTypes.Empty> WorkflowHello = new(MethodType.Unary, "TaskHubSidecarService", "Hello",
        Marshallers.Create<Google.Protobuf.WellKnownTypes.Empty>(m => m.ToByteArray(), Google.Protobuf.WellKnownTypes.Empty.Parser.ParseFrom),
        Marshallers.Create<Google.Protobuf.WellKnownTypes.Empty>(m => m.ToByteArray(), Google.Protobuf.WellKnownTypes.Empty.Parser.ParseFrom));

    public static TheoryData<string, string> MethodsAndTokens()
    {
        var data = new TheoryData<string, string>();
        foreach (var method in Calls.Keys.Append("TaskHubSidecarService/Hello"))
            foreach (var token in new[] { "none", "wrong", "right" })
                if (!(method == "Shutdown" && token == "right")) // would stop the shared sidecar; see TransportConformanceTests.Shutdown…
                    data.Add(method, token);
        return data;
    }

    [Theory]
    [MemberData(nameof(MethodsAndTokens))]
    public async Task Item03_every_gRPC_method_needs_the_api_token(string method, string token)
    {
        using var channel = GrpcChannel.ForAddress(sidecar.Harness.Sidecar.GrpcAddress);
        var client = new DaprApi.DaprClient(channel);
        var metadata = new Metadata();
        if (token == "wrong") metadata.Add("dapr-api-token", "not-" + TokenSidecar.Token);
        if (token == "right") metadata.Add("dapr-api-token", TokenSidecar.Token);

        var call = Calls.TryGetValue(method, out var invoke)
            ? invoke(client, metadata)
            : channel.CreateCallInvoker().AsyncUnaryCall(WorkflowHello, null, new CallOptions(metadata), new Google.Protobuf.WellKnownTypes.Empty()).ResponseAsync;

        if (token == "right")
        {
            if (method.Contains("not implemented", StringComparison.Ordinal))
                Assert.Equal(StatusCode.Unimplemented, (await Assert.ThrowsAsync<RpcException>(() => call)).StatusCode);
            else
                await call; // OK
            return;
        }
        var error = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal("Unauthorized", error.Status.Detail);
        Assert.False(sidecar.Harness.Sidecar.HasExited);
    }

    [Fact]
    public async Task Item03_the_SDK_with_the_right_token_works_and_with_a_wrong_or_no_token_gets_Unauthenticated()
    {
        var harness = sidecar.Harness;
        await harness.Client.SaveStateAsync(Backends.StoreName, "sdk", new Order("tok", 1), cancellationToken: TestContext.Current.CancellationToken);
        await harness.Client.PublishEventAsync(Backends.PubSubName, "t", new Order("tok", 1), TestContext.Current.CancellationToken);

        foreach (var token in new string?[] { null, "wrong" })
        {
            using var client = harness.NewClient(token);
            var error = await Assert.ThrowsAsync<DaprException>(() => client.GetStateAsync<Order>(Backends.StoreName, "sdk", cancellationToken: TestContext.Current.CancellationToken));
            Assert.Equal(StatusCode.Unauthenticated, Assert.IsType<RpcException>(error.InnerException).StatusCode);
        }
    }

    private static ByteString Json(string text) => ByteString.CopyFromUtf8(text);

    private static BulkPublishRequest Bulk() => new()
    {
        PubsubName = "pubsub",
        Topic = "t",
        Entries = { new BulkPublishRequestEntry { EntryId = "0", Event = Json("{}"), ContentType = "application/json" } },
    };
}
