using System.Text.Json;

namespace Veltrix.Bench;

/// <summary>The baseline: Kestrel receiving the same batches, parsing them and answering 202 — ingest with nothing behind it.</summary>
internal sealed class RawIngestApp(WebApplication app, int port) : IAsyncDisposable
{
    public int Port => port;

    public static async Task<RawIngestApp> StartAsync(int port)
    {
        var app = QuietKestrel.Build(port);
        app.MapPost("/v1/events", async (HttpContext context) =>
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body);
            var count = document.RootElement.GetArrayLength();
            return Results.Text($$"""{"accepted":{{count}},"rejected":[]}""", "application/json", statusCode: 202);
        });
        await app.StartAsync();
        return new RawIngestApp(app, port);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
