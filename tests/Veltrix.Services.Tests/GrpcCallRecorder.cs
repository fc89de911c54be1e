using System.Collections.Concurrent;

namespace Veltrix.Services.Tests;

/// <summary>The gRPC methods called through a channel, in the order they were sent: `GetBulkState`, `ExecuteStateTransaction`, …</summary>
internal sealed class GrpcCallRecorder(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly ConcurrentQueue<string> _methods = new();

    public IReadOnlyList<string> Methods => [.. _methods];

    public void Clear() => _methods.Clear();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // A gRPC request's path is /{package}.{service}/{method}.
        _methods.Enqueue(request.RequestUri!.AbsolutePath[(request.RequestUri.AbsolutePath.LastIndexOf('/') + 1)..]);
        return base.SendAsync(request, cancellationToken);
    }
}
