using System.Collections.Concurrent;

namespace Veltrix.Services.Tests;

/// <summary>
/// The gRPC methods called through a channel, in the order they were sent: `GetBulkState`, `ExecuteStateTransaction`, …
/// A test can also hold back every call of one method until it lets them go (<see cref="Hold"/>), to see what a class
/// does before that call answers.
/// </summary>
internal sealed class GrpcCallRecorder(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly ConcurrentQueue<string> _methods = new();
    private volatile HeldMethod? _held;

    public IReadOnlyList<string> Methods => [.. _methods];

    public void Clear() => _methods.Clear();

    /// <summary>Calls of <paramref name="method"/> are recorded but not sent until the returned handle is disposed.</summary>
    public IDisposable Hold(string method)
    {
        var held = new HeldMethod(method, this);
        if (Interlocked.CompareExchange(ref _held, held, null) is not null) throw new InvalidOperationException("one method is held already");
        return held;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // A gRPC request's path is /{package}.{service}/{method}.
        var method = request.RequestUri!.AbsolutePath[(request.RequestUri.AbsolutePath.LastIndexOf('/') + 1)..];
        _methods.Enqueue(method);
        if (_held is { } held && held.Method == method) await held.Released.WaitAsync(cancellationToken);
        return await base.SendAsync(request, cancellationToken);
    }

    private sealed class HeldMethod(string method, GrpcCallRecorder recorder) : IDisposable
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Method => method;

        public Task Released => _released.Task;

        public void Dispose()
        {
            Interlocked.CompareExchange(ref recorder._held, null, this);
            _released.TrySetResult();
        }
    }
}
