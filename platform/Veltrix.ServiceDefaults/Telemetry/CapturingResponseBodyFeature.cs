using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Veltrix.ServiceDefaults.Telemetry;

/// <summary>
/// Wraps the server's response body feature and keeps a copy of the first bytes written, up to a cap, whether the
/// handler writes to the stream or to the pipe. Nothing is buffered or delayed: every write and flush goes straight to
/// the server, so status-code pages and streaming behave exactly as without it.
/// </summary>
internal sealed class CapturingResponseBodyFeature : IHttpResponseBodyFeature, IDisposable
{
    private readonly IHttpResponseBodyFeature _inner;
    private readonly int _maxCapturedBytes;
    private readonly MemoryStream _captured = new();
    private CapturingStream? _stream;
    private CapturingPipeWriter? _writer;

    public CapturingResponseBodyFeature(IHttpResponseBodyFeature inner, int maxCapturedBytes)
    {
        _inner = inner;
        _maxCapturedBytes = maxCapturedBytes;
    }

    /// <summary>False when the body was longer than the cap: <see cref="Captured"/> is then incomplete.</summary>
    public bool Complete { get; private set; } = true;

    public ReadOnlySpan<byte> Captured => _captured.GetBuffer().AsSpan(0, (int)_captured.Length);

    public Stream Stream => _stream ??= new CapturingStream(_inner.Stream, this);
    public PipeWriter Writer => _writer ??= new CapturingPipeWriter(_inner.Writer, this);

    public void DisableBuffering() => _inner.DisableBuffering();
    public Task StartAsync(CancellationToken cancellationToken = default) => _inner.StartAsync(cancellationToken);
    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        _inner.SendFileAsync(path, offset, count, cancellationToken);
    public Task CompleteAsync() => _inner.CompleteAsync();

    public void Dispose() => _captured.Dispose();

    private void Capture(ReadOnlySpan<byte> bytes)
    {
        if (!Complete || bytes.IsEmpty) return;
        if (_captured.Length + bytes.Length > _maxCapturedBytes)
        {
            Complete = false;
            return;
        }
        _captured.Write(bytes);
    }

    private sealed class CapturingStream(Stream inner, CapturingResponseBodyFeature owner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            owner.Capture(buffer);
            inner.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            owner.Capture(buffer.Span);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>Copies what each <see cref="Advance"/> commits from the memory the server handed out.</summary>
    private sealed class CapturingPipeWriter(PipeWriter inner, CapturingResponseBodyFeature owner) : PipeWriter
    {
        private Memory<byte> _lastMemory;

        public override Memory<byte> GetMemory(int sizeHint = 0) => _lastMemory = inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override void Advance(int bytes)
        {
            owner.Capture(_lastMemory.Span[..bytes]);
            _lastMemory = default;
            inner.Advance(bytes);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);
        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            owner.Capture(source.Span);
            return inner.WriteAsync(source, cancellationToken);
        }
        public override void CancelPendingFlush() => inner.CancelPendingFlush();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;
        public override long UnflushedBytes => inner.UnflushedBytes;
    }
}
