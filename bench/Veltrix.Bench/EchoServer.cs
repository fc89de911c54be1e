using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace Veltrix.Bench;

/// <summary>
/// The per-hop baseline in its own process: Kestrel answering each POSTed CloudEvent as the subscriber app does (parse,
/// answer SUCCESS). A call through the sidecar crosses into another process and back, so a direct call to a server in
/// the load tool's own process leaves out a cost the sidecar hop cannot avoid and the app-to-app call without a sidecar
/// would pay too. Run as `Veltrix.Bench echo-server --port N`; it stops when its standard input closes.
/// </summary>
internal static class EchoServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        var index = Array.IndexOf(args, "--port");
        var port = int.Parse(args[index + 1], CultureInfo.InvariantCulture);
        var app = QuietKestrel.Build(port);
        app.MapPost("/single", async (HttpContext context) =>
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body);
            _ = document.RootElement.GetProperty("data").GetProperty("sent").GetInt64();
            return Results.Text("""{"status":"SUCCESS"}""", "application/json");
        });
        await app.StartAsync();
        await Console.In.ReadToEndAsync(); // the parent closes our input when it is done (or dies)
        await app.StopAsync();
        return 0;
    }

    /// <summary>Starts the server as a child process of this tool and returns once it answers.</summary>
    public static async Task<Process> StartProcessAsync(int port, HttpClient http)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardInput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var arg in (string[])["echo-server", "--port", port.ToString(CultureInfo.InvariantCulture)]) start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        var uri = new Uri($"http://127.0.0.1:{port}/single");
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var content = new StringContent("""{"data":{"sent":0}}""", System.Text.Encoding.UTF8, "application/cloudevents+json");
                using var response = await http.PostAsync(uri, content);
                if (response.IsSuccessStatusCode) return process;
            }
            catch (HttpRequestException) when (deadline.Elapsed < TimeSpan.FromSeconds(30) && !process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }
}
