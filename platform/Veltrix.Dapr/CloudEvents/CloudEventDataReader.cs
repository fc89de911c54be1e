using System.Text;
using System.Text.Json;

namespace Veltrix.Dapr.AspNetCore;

/// <summary>Reads unwrapped CloudEvent data as a handler type: bytes stay bytes, text stays text, JSON is deserialised.</summary>
internal static class CloudEventDataReader
{
    public static TData? Read<TData>(CloudEventData data, JsonSerializerOptions options)
    {
        if (typeof(TData) == typeof(byte[])) return (TData)(object)data.Body.ToArray();
        if (typeof(TData) == typeof(ReadOnlyMemory<byte>)) return (TData)(object)data.Body;
        if (typeof(TData) == typeof(string) && !CloudEventParser.IsJson(data.ContentType))
            return (TData)(object)Encoding.UTF8.GetString(data.Body.Span);
        if (data.Body.IsEmpty) return default;
        return JsonSerializer.Deserialize<TData>(data.Body.Span, options);
    }
}
