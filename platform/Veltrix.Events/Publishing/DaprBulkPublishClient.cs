using Dapr;
using Dapr.Client.Autogen.Grpc.v1;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using Veltrix.ServiceDefaults.Sidecar;
using GrpcDapr = Dapr.Client.Autogen.Grpc.v1.Dapr;

namespace Veltrix.Events.Publishing;

/// <summary>
/// The one sidecar call Veltrix makes without <c>Dapr.Client.DaprClient</c>: a bulk publish whose entries each carry
/// their own metadata. The SDK's <c>BulkPublishEventAsync</c> copies one metadata map to every entry, but the ordering
/// key is a per-entry <c>partitionKey</c> (Kafka orders by it on daprd), and each entry is a whole CloudEvent with its own
/// id and the <c>veltrixconfig</c>/<c>veltrixversion</c> extensions. So this uses the generated gRPC client from
/// <c>Dapr.Protos</c> — the package <c>Dapr.Client</c> is built on — with the SDK's own endpoint and token resolution
/// (<c>DaprDefaults</c>: <c>DAPR_GRPC_ENDPOINT</c>/<c>DAPR_GRPC_PORT</c>, <c>DAPR_API_TOKEN</c>), and the SDK's variant
/// order: <c>BulkPublishEvent</c>, then <c>BulkPublishEventAlpha1</c> when the sidecar answers <c>Unimplemented</c>.
/// A batch stays one call; everything else goes through <c>DaprClient</c>.
/// </summary>
public sealed class DaprBulkPublishClient : IDisposable
{
    private const string ApiTokenHeader = "dapr-api-token";

    private readonly GrpcDapr.DaprClient _grpc;
    private readonly string? _apiToken;
    private readonly GrpcChannel? _channel;
    private volatile bool _alpha1Only;

    public DaprBulkPublishClient(GrpcDapr.DaprClient grpc, string? apiToken)
    {
        _grpc = grpc;
        _apiToken = string.IsNullOrEmpty(apiToken) ? null : apiToken;
    }

    private DaprBulkPublishClient(GrpcChannel channel, string? apiToken) : this(new GrpcDapr.DaprClient(channel), apiToken) => _channel = channel;

    /// <summary>The sidecar the SDK would talk to, from the same settings (configuration first, then environment).</summary>
    public static DaprBulkPublishClient Create(IConfiguration configuration)
    {
        var endpoint = DaprDefaults.GetDefaultGrpcEndpoint(configuration);
        if (endpoint.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            AppContext.SetSwitch("System.Net.Http.SocketsHttpHandler.Http2UnencryptedSupport", true); // h2c, as the SDK does
        var channel = GrpcChannel.ForAddress(endpoint, SidecarGrpcChannel.Options());
        return new DaprBulkPublishClient(channel, DaprDefaults.GetDefaultDaprApiToken(configuration));
    }

    /// <summary>
    /// Sends the batch; entries the sidecar could not publish come back in <c>FailedEntries</c>. A call that failed as a
    /// whole throws <see cref="DaprException"/> with the <see cref="RpcException"/> inside, as the SDK's publish does.
    /// </summary>
    public async Task<BulkPublishResponse> PublishAsync(BulkPublishRequest request, CancellationToken cancellationToken)
    {
        var headers = new Metadata();
        if (_apiToken is not null) headers.Add(ApiTokenHeader, _apiToken);
        var options = new CallOptions(headers, cancellationToken: cancellationToken);
        try
        {
            if (!_alpha1Only)
            {
                try
                {
                    return await _grpc.BulkPublishEventAsync(request, options);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
                {
                    // An older sidecar: it only has the alpha name (same request and response). Remember it.
                    _alpha1Only = true;
                }
            }
#pragma warning disable CS0612 // The alpha name is obsolete in the protos but still the only one older sidecars serve.
            return await _grpc.BulkPublishEventAlpha1Async(request, options);
#pragma warning restore CS0612
        }
        catch (RpcException e)
        {
            throw new DaprException($"Bulk publish operation failed: the Dapr endpoint indicated a failure. See InnerException for details.", e);
        }
    }

    public void Dispose() => _channel?.Dispose();
}
