using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Dapr.Client;
using Veltrix.Testing;

namespace Veltrix.ServiceDefaults.Tests;

/// <summary>
/// A tiny Veltrix service in the test process, on real Kestrel and a free loopback port, shaped like every service's
/// Program.cs: AddServiceDefaults → (test services) → Build → MapDefaultEndpoints → (test endpoints).
/// </summary>
internal sealed class TestService : IAsyncDisposable
{
    private TestService(WebApplication app, int port, TestLoggerProvider logs)
    {
        App = app;
        Port = port;
        Logs = logs;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }
    public int Port { get; }
    public HttpClient Http { get; }
    public TestLoggerProvider Logs { get; }
    public DaprClient Dapr => App.Services.GetRequiredService<DaprClient>();

    /// <param name="map">The service's own endpoints.</param>
    /// <param name="sidecarPort">Where the DaprClient looks for its sidecar's HTTP API; default a free port nobody listens on.</param>
    /// <param name="sidecarGrpcPort">Where it looks for the sidecar's gRPC API (publish, state); default likewise.</param>
    /// <param name="port">The app's port (fixed when a sidecar was started for it first).</param>
    /// <param name="settings">Configuration, as appsettings or environment would give it.</param>
    public static async Task<TestService> StartAsync(Action<WebApplication>? map = null, int? sidecarPort = null, int? port = null,
        IDictionary<string, string?>? settings = null, int? sidecarGrpcPort = null)
    {
        var appPort = port ?? FreePort.Next();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseUrls($"http://127.0.0.1:{appPort}");
        // Configuration, not DAPR_HTTP_PORT/DAPR_GRPC_PORT: the SDK reads IConfiguration first, and environment variables
        // are process-wide while tests run in parallel.
        builder.Configuration["DAPR_HTTP_ENDPOINT"] = $"http://127.0.0.1:{sidecarPort ?? FreePort.Next()}";
        builder.Configuration["DAPR_GRPC_ENDPOINT"] = $"http://127.0.0.1:{sidecarGrpcPort ?? FreePort.Next()}";
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        var logs = new TestLoggerProvider();
        builder.Logging.ClearProviders().AddProvider(logs);

        builder.AddServiceDefaults();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        map?.Invoke(app);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return new TestService(app, appPort, logs);
    }

    public Task<string> ScrapeAsync() => Http.GetStringAsync("/metrics");

    public static async Task<JsonElement> ReadProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public static StringContent Json(string json) => new(json, new MediaTypeHeaderValue("application/json"));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Keeps the service's log lines so tests can assert on warnings (and show them when a test fails).</summary>
internal sealed class TestLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(TestLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) owner.Entries.Enqueue((logLevel, category, formatter(state, exception) + (exception is null ? "" : " | " + exception)));
        }
    }
}
