using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Veltrix.Workflow.Conformance.Tests;

/// <summary>
/// A stand-in OTLP collector: accepts `POST /v1/traces` (OTLP/HTTP, binary protobuf) and keeps the spans it was sent, so
/// a test observes exactly what the sidecar exported. Only the fields the tests read are decoded — by their numbers in
/// opentelemetry/proto trace.proto: ExportTraceServiceRequest.resource_spans = 1, ResourceSpans.scope_spans = 2,
/// ScopeSpans.spans = 2, Span.trace_id = 1, span_id = 2, parent_span_id = 4, name = 5.
/// </summary>
public sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly WebApplication _web;

    private OtlpTraceReceiver(WebApplication web) => _web = web;

    public sealed record Span(string TraceId, string SpanId, string ParentSpanId, string Name);

    public ConcurrentQueue<Span> Spans { get; } = new();

    public Uri Endpoint => new(_web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public static async Task<OtlpTraceReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var web = builder.Build();
        var receiver = new OtlpTraceReceiver(web);
        web.MapPost("/v1/traces", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            foreach (var span in ReadRequest(body.ToArray())) receiver.Spans.Enqueue(span);
            return Results.Bytes([], "application/x-protobuf"); // an empty ExportTraceServiceResponse: all accepted
        });
        await web.StartAsync();
        return receiver;
    }

    private static IEnumerable<Span> ReadRequest(byte[] request) =>
        Fields(request, 1).SelectMany(resourceSpans => Fields(resourceSpans, 2)).SelectMany(scopeSpans => Fields(scopeSpans, 2)).Select(ReadSpan);

    private static Span ReadSpan(byte[] span)
    {
        string Hex(int field) => Convert.ToHexStringLower(Fields(span, field).FirstOrDefault() ?? []);
        var name = Fields(span, 5).FirstOrDefault() is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : "";
        return new Span(Hex(1), Hex(2), Hex(4), name);
    }

    /// <summary>The length-delimited values of one field number of a message, in order.</summary>
    private static List<byte[]> Fields(byte[] message, int number)
    {
        var found = new List<byte[]>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == number && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited) found.Add(input.ReadBytes().ToByteArray());
            else input.SkipLastField();
        }
        return found;
    }

    public async ValueTask DisposeAsync()
    {
        await _web.StopAsync();
        await _web.DisposeAsync();
    }
}
