using System.Buffers;
using System.Text.Json;

namespace Veltrix.Sidecar.CloudEvents;

/// <summary>
/// One JSON writer and buffer per thread for building envelopes: every event a service publishes or a rawPayload
/// subscription receives is written here and then copied out once at its exact size, instead of each event allocating
/// a writer and a growing buffer that are garbage a moment later. Use it only between <see cref="Start"/> and
/// <see cref="Finish"/> with no await in between (the thread must not change), and never nested.
/// </summary>
internal static class ScratchWriter
{
    // A buffer that grew past this for one large event is dropped afterwards rather than kept for the thread's lifetime.
    private const int KeptCapacity = 64 * 1024;

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    public static Utf8JsonWriter Start()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        if (t_writer is { } writer) writer.Reset(buffer);
        else t_writer = writer = new Utf8JsonWriter(buffer);
        return writer;
    }

    /// <summary>The written bytes, copied out; the scratch buffer is ready for the next envelope.</summary>
    public static byte[] Finish(Utf8JsonWriter writer)
    {
        writer.Flush();
        var buffer = t_buffer!;
        var bytes = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > KeptCapacity)
        {
            t_buffer = null;
            t_writer = null;
        }
        return bytes;
    }
}
