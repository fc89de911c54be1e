using System.Collections.Concurrent;
using System.Diagnostics;

namespace Veltrix.Testing;

/// <summary>AppHost as its own process — `dotnet AppHost.dll`, exactly as a user runs it — stopped with SIGTERM as Ctrl+C stops it.</summary>
public sealed class AppHostProcess : IRunHost
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private AppHostProcess(Process process) => _process = process;

    public bool HasExited => _process.HasExited;

    public string Output => string.Join('\n', _output);

    /// <summary>AppHost of a build configuration (Debug: as `dotnet run --project AppHost` runs it).</summary>
    public static string Assembly(string configuration) =>
        Path.Combine(RepositoryLayout.Root, "AppHost", "bin", configuration, "net10.0", "AppHost.dll");

    /// <summary>Starts the AppHost build of <paramref name="configuration"/> for each launch.</summary>
    public static RunHostStarter Starter(string configuration) => launch => Task.FromResult<IRunHost>(Start(configuration, launch));

    private static AppHostProcess Start(string configuration, RunLaunch launch)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryLayout.Root,
        };
        info.ArgumentList.Add(Assembly(configuration));
        foreach (var argument in launch.Arguments) info.ArgumentList.Add(argument);
        foreach (var (name, value) in launch.Environment)
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        var host = new AppHostProcess(new Process { StartInfo = info });
        host._process.OutputDataReceived += (_, e) => { if (e.Data is not null) host._output.Enqueue(e.Data); };
        host._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) host._output.Enqueue(e.Data); };
        host._process.Start();
        host._process.BeginOutputReadLine();
        host._process.BeginErrorReadLine();
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // Ctrl+C, as a user stops it; AppHost stops everything it started.
            Signal.Terminate(_process.Id);
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }
}
