using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Veltrix.Testing;

namespace Veltrix.Workflow.Conformance.Tests;

/// <summary>
/// The test workflow app (tests/Veltrix.Workflow.TestWorker) as its own process — `dotnet Veltrix.Workflow.TestWorker.dll`
/// with DAPR_GRPC_PORT and DAPR_API_TOKEN, as daprd's apps get them — so a test can kill it with SIGKILL.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private WorkerProcess(Process process) => _process = process;

    public static string Assembly => Path.Combine(RepositoryLayout.Root, "tests", "Veltrix.Workflow.TestWorker", "bin", RepositoryLayout.Configuration,
        "net10.0", "Veltrix.Workflow.TestWorker.dll");

    public string Output => string.Join('\n', _output);
    public bool HasExited => _process.HasExited;

    public static WorkerProcess Start(SidecarProcess sidecar, string? apiToken = null)
    {
        if (!File.Exists(Assembly)) throw new InvalidOperationException($"{Assembly} is not built: build Veltrix.sln (or this test project, which references it)");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Assembly);
        foreach (var name in new[] { "DAPR_GRPC_ENDPOINT", "DAPR_HTTP_ENDPOINT", "DAPR_API_TOKEN", "APP_API_TOKEN" }) info.Environment.Remove(name);
        info.Environment["DAPR_GRPC_PORT"] = sidecar.GrpcPort?.ToString(CultureInfo.InvariantCulture) ?? throw new InvalidOperationException("the sidecar has no gRPC port");
        info.Environment["DAPR_HTTP_PORT"] = sidecar.HttpPort.ToString(CultureInfo.InvariantCulture);
        if (apiToken is not null) info.Environment["DAPR_API_TOKEN"] = apiToken;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) worker._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) worker._output.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>SIGKILL (what <see cref="Process.Kill()"/> sends on Linux), and waits until the process is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync(Deadline.After(TimeSpan.FromSeconds(30)));
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
