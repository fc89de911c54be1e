using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Veltrix.Testing;

/// <summary>
/// The dev sidecar started as a real process, exactly as AppHost starts it: `dotnet Veltrix.Sidecar.dll` with
/// daprd-style flags and the token environment variables. In single-app mode (`--app-id`) it always gets a free
/// `--dapr-grpc-port` unless the caller passes one, because the sidecar's default (50001, as daprd) would make
/// parallel tests collide; <see cref="GrpcPort"/> says which.
/// </summary>
public sealed class SidecarProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private SidecarProcess(Process process, int httpPort, int? grpcPort)
    {
        _process = process;
        HttpPort = httpPort;
        GrpcPort = grpcPort;
    }

    public int HttpPort { get; }

    /// <summary>The Dapr gRPC port of the (first) app, when the sidecar was given one or this class chose it.</summary>
    public int? GrpcPort { get; }

    /// <summary>`http://127.0.0.1:&lt;gRPC port&gt;`, what `DaprClientBuilder.UseGrpcEndpoint` takes.</summary>
    public Uri GrpcAddress => new($"http://127.0.0.1:{GrpcPort ?? throw new InvalidOperationException("this sidecar has no gRPC port")}");
    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}");
    public string Output => string.Join('\n', _output);
    public bool HasExited => _process.HasExited;
    public int ProcessId => _process.Id;
    public int ExitCode => _process.ExitCode;

    public static SidecarProcess Start(IEnumerable<string> arguments, IDictionary<string, string?>? environment = null, int httpPort = 0)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(RepositoryLayout.SidecarAssembly);
        var given = arguments.ToList();
        foreach (var argument in given) info.ArgumentList.Add(argument);
        int? grpcPort = GivenGrpcPort(given);
        if (grpcPort is null && given.Contains("--app-id"))
        {
            var mentioned = given.ToHashSet(StringComparer.Ordinal);
            do grpcPort = FreePort.Next();
            while (mentioned.Contains(grpcPort.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))); // never the HTTP port just picked
            info.ArgumentList.Add("--dapr-grpc-port");
            info.ArgumentList.Add(grpcPort.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        info.Environment.Remove("DAPR_API_TOKEN");
        info.Environment.Remove("APP_API_TOKEN");
        if (environment is not null)
            foreach (var (key, value) in environment) info.Environment[key] = value;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var sidecar = new SidecarProcess(process, httpPort, grpcPort);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) sidecar._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) sidecar._output.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return sidecar;
    }

    /// <summary>Starts one sidecar for one app and waits until its API answers (components loaded).</summary>
    public static async Task<SidecarProcess> StartForAppAsync(
        string appId, int? appPort, IEnumerable<string> resourcesPaths,
        IDictionary<string, string?>? environment = null, IEnumerable<string>? extraArguments = null, bool waitForApp = true)
    {
        for (var attempt = 1; ; attempt++)
        {
            var httpPort = FreePort.Next();
            var args = new List<string> { "--app-id", appId, "--dapr-http-port", httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            if (appPort is { } port) args.AddRange(["--app-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            foreach (var path in resourcesPaths) args.AddRange(["--resources-path", path]);
            if (extraArguments is not null) args.AddRange(extraArguments);
            var sidecar = Start(args, environment, httpPort);
            try
            {
                await sidecar.WaitUntilHealthyAsync(waitForApp ? "/v1.0/healthz" : "/v1.0/healthz/outbound");
                return sidecar;
            }
            catch (InvalidOperationException) when (attempt < 3 && sidecar.Output.Contains("VX2002", StringComparison.Ordinal))
            {
                // The free port was taken before the sidecar bound it — often by the sidecar's own outgoing broker
                // connection, which the OS gives an ephemeral port: pick another.
                await sidecar.DisposeAsync();
            }
            catch
            {
                await sidecar.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>
    /// Starts one sidecar process serving several apps (`--app id=…,app-port=…,dapr-http-port=…,dapr-grpc-port=…`), each
    /// with its own free HTTP and gRPC ports, and waits until every app's API is healthy. Ports are returned by app ID.
    /// </summary>
    public static async Task<(SidecarProcess Sidecar, IReadOnlyDictionary<string, (int Http, int Grpc)> Ports)> StartForAppsAsync(
        IEnumerable<(string AppId, int? AppPort)> apps, IEnumerable<string> resourcesPaths, IDictionary<string, string?>? environment = null)
    {
        var appList = apps.ToList();
        for (var attempt = 1; ; attempt++)
        {
            var ports = new Dictionary<string, (int Http, int Grpc)>(StringComparer.Ordinal);
            var taken = new HashSet<int>();
            int Distinct()
            {
                int port;
                do port = FreePort.Next(); while (!taken.Add(port));
                return port;
            }
            var args = new List<string>();
            foreach (var (appId, appPort) in appList)
            {
                var (http, grpc) = (Distinct(), Distinct());
                ports[appId] = (http, grpc);
                var spec = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"id={appId},dapr-http-port={http},dapr-grpc-port={grpc}");
                if (appPort is { } port) spec += string.Create(System.Globalization.CultureInfo.InvariantCulture, $",app-port={port}");
                args.AddRange(["--app", spec]);
            }
            foreach (var path in resourcesPaths) args.AddRange(["--resources-path", path]);
            var sidecar = Start(args, environment, ports.Values.First().Http);
            try
            {
                foreach (var (http, _) in ports.Values)
                {
                    using var probe = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}"), Timeout = TimeSpan.FromSeconds(2) };
                    await sidecar.WaitUntilHealthyAsync(probe);
                }
                return (sidecar, ports);
            }
            catch (InvalidOperationException) when (attempt < 3 && sidecar.Output.Contains("VX2002", StringComparison.Ordinal))
            {
                await sidecar.DisposeAsync(); // a free port was taken before the sidecar bound it: pick others
            }
            catch
            {
                await sidecar.DisposeAsync();
                throw;
            }
        }
    }

    public async Task WaitUntilHealthyAsync(string path = "/v1.0/healthz", TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        await WaitUntilHealthyAsync(http, path, timeout);
    }

    private async Task WaitUntilHealthyAsync(HttpClient http, string path = "/v1.0/healthz", TimeSpan? timeout = null)
    {
        var ok = await Eventually.TryAsync(async () =>
        {
            if (_process.HasExited) return true;
            try { return (await http.GetAsync(path)).StatusCode == HttpStatusCode.NoContent; }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) { return false; }
        }, timeout ?? TimeSpan.FromSeconds(30));
        if (_process.HasExited)
            throw new InvalidOperationException($"Sidecar exited with code {_process.ExitCode}:\n{Output}");
        if (!ok) throw new TimeoutException($"Sidecar never became healthy on {path}:\n{Output}");
    }

    /// <summary>For start-up refusals: waits for the process to exit by itself.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit(); // flushes the redirected streams
        return _process.ExitCode;
    }

    private static int? GivenGrpcPort(List<string> arguments)
    {
        var index = arguments.IndexOf("--dapr-grpc-port");
        return index >= 0 && index + 1 < arguments.Count && int.TryParse(arguments[index + 1], System.Globalization.CultureInfo.InvariantCulture, out var port)
            ? port
            : null;
    }

    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            Kill();
            await _process.WaitForExitAsync(Deadline.After(TimeSpan.FromSeconds(30)));
        }
        catch (InvalidOperationException)
        {
            // never started
        }
        _process.Dispose();
    }
}
