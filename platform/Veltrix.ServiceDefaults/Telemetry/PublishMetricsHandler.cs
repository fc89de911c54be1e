using System.Buffers;
using System.Net;
using System.Text.Json;

namespace Veltrix.ServiceDefaults.Telemetry;

/// <summary>
/// Sits on the DaprClient's HttpClient and counts what the sidecar accepted: one event per 2xx single publish; for bulk
/// publishes every entry on 2xx, and entries minus <c>failedEntries</c> on a 500 that lists them. Other requests pass
/// straight through. Only bulk requests are read (to count entries), and only error bodies of bulk answers.
/// </summary>
internal sealed class PublishMetricsHandler(EventMetrics metrics) : DelegatingHandler
{
    /// <summary>Larger error bodies are not read for counting; the whole batch counts as failed then.</summary>
    private const long MaxErrorBodyBytes = 1024 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!PublishRoute.TryParse(request, out var route)) return await base.SendAsync(request, cancellationToken);

        var entries = route.Bulk ? await CountEntriesAsync(request.Content, cancellationToken) : 1;
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
        }
        catch
        {
            metrics.PublishFailed(route.PubsubName, route.Topic, entries);
            throw;
        }

        if (response.IsSuccessStatusCode)
        {
            metrics.Published(route.PubsubName, route.Topic, entries);
        }
        else if (route.Bulk && response.StatusCode == HttpStatusCode.InternalServerError
                 && await CountFailedEntriesAsync(response, cancellationToken) is { } failed)
        {
            var failedCount = Math.Min(failed, entries);
            metrics.Published(route.PubsubName, route.Topic, entries - failedCount);
            metrics.PublishFailed(route.PubsubName, route.Topic, failedCount);
        }
        else
        {
            metrics.PublishFailed(route.PubsubName, route.Topic, entries);
        }
        return response;
    }

    /// <summary>The number of elements of the top-level JSON array; 0 when the body is not one.</summary>
    private static async Task<int> CountEntriesAsync(HttpContent? content, CancellationToken cancellationToken)
    {
        if (content is null) return 0;
        // ByteArrayContent (what DaprClient sends) reads back from its own array; anything else is buffered first so
        // that the send still has a body to read.
        if (content is not ByteArrayContent) await content.LoadIntoBufferAsync(cancellationToken);
        // HttpContent caches this stream: leave it open and rewound for anyone who reads it after us.
        var stream = await content.ReadAsStreamAsync(cancellationToken);
        if (!stream.CanSeek) return 0;
        var length = (int)stream.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            await stream.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken);
            stream.Position = 0;
            return CountArray(buffer.AsSpan(0, length), propertyName: null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<int?> CountFailedEntriesAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is > MaxErrorBodyBytes) return null;
        // Buffered, so DaprClient can still read the same body to build its BulkPublishResponse.
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var count = CountArray(body, "failedEntries");
        return count > 0 ? count : null;
    }

    /// <summary>Counts the elements of the root array, or of the root object's <paramref name="propertyName"/> array.</summary>
    internal static int CountArray(ReadOnlySpan<byte> json, string? propertyName)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            if (!reader.Read()) return 0;
            if (propertyName is not null)
            {
                if (reader.TokenType != JsonTokenType.StartObject) return 0;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var match = reader.ValueTextEquals(propertyName);
                    reader.Read();
                    if (match) break;
                    reader.Skip();
                }
                if (reader.TokenType != JsonTokenType.StartArray) return 0;
            }
            if (reader.TokenType != JsonTokenType.StartArray) return 0;
            var count = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                count++;
                reader.Skip();
            }
            return count;
        }
        catch (JsonException)
        {
            return 0;
        }
    }
}
