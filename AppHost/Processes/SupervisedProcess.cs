using System.ComponentModel;
using System.Diagnostics;
using Veltrix.AppHost.Console;

namespace Veltrix.AppHost.Processes;

/// <summary>
/// One child process (an app, or a sidecar) kept running: its output goes to its <see cref="LogStream"/>; when it
/// exits unexpectedly it is restarted with <see cref="Backoff"/> — unless <see cref="Restart"/> is off (start-up of a
/// sidecar), in which case the exit is reported through <see cref="ExitedUnexpectedly"/>. Cancelling the token given
/// to <see cref="RunAsync"/> stops it gracefully (SIGTERM, then the tree is killed after the grace period).
/// </summary>
public sealed class SupervisedProcess(string name, Func<ProcessStartInfo> startInfo, LogStream log, TimeSpan grace)
{
    private readonly TaskCompletionSource<int> _unexpectedExit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _firstStart = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Process? _current;

    public string Name { get; } = name;
    public LogStream Log { get; } = log;

    /// <summary>Restart after an unexpected exit (otherwise the exit completes <see cref="ExitedUnexpectedly"/>).</summary>
    public bool Restart { get; set; } = true;

    public int? Pid => _current is { } p ? SafePid(p) : null;
    public int Restarts { get; private set; }
    public Task<int> ExitedUnexpectedly => _unexpectedExit.Task;

    /// <summary>Completes once the first process has started (or faults with the reason it could not start).</summary>
    public Task Started => _firstStart.Task;

    /// <summary>Raised (with the new pid) after every start, restarts included.</summary>
    public event Action<SupervisedProcess>? ProcessStarted;

    public async Task RunAsync(CancellationToken stop)
    {
        var backoff = new Backoff();
        while (!stop.IsCancellationRequested)
        {
            Process process;
            try
            {
                process = Start();
            }
            catch (Exception e) when (e is Win32Exception or InvalidOperationException or FileNotFoundException or DirectoryNotFoundException)
            {
                var info = startInfo();
                var error = new AppHostError(AppHostErrorCodes.CommandNotStartable,
                    $"'{Name}' could not be started: `{info.FileName} {string.Join(' ', info.ArgumentList)}` in {info.WorkingDirectory}: {e.Message}",
                    "check the app's `command` and `appDirPath` in dapr.yaml; the program must be on PATH");
                if (_firstStart.TrySetException(error)) return;
                Terminal.Error(error.Render());
                _unexpectedExit.TrySetResult(-1);
                return;
            }
            _current = process;
            _firstStart.TrySetResult();
            ProcessStarted?.Invoke(this);

            var uptime = Stopwatch.StartNew();
            var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            process.Exited += (_, _) => exited.TrySetResult();
            if (process.HasExited) exited.TrySetResult();
            var descendants = new HashSet<int>();
            var stopped = stop.WhenCancelled();
            while (!exited.Task.IsCompleted && !stop.IsCancellationRequested)
            {
                // Remember the children, so that they are found even after their parent died.
                foreach (var pid in ProcessTree.Descendants(process.Id)) descendants.Add(pid);
                await Task.WhenAny(exited.Task, stopped, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None));
            }

            if (stop.IsCancellationRequested)
            {
                await ProcessTree.StopAsync(process, descendants, grace);
                return;
            }

            ProcessTree.KillAll(descendants);
            process.WaitForExit(TimeSpan.FromSeconds(2)); // lets the last output lines through
            var code = process.ExitCode;
            _current = null;
            process.Dispose();
            if (!Restart)
            {
                _unexpectedExit.TrySetResult(code);
                return;
            }

            // A Ctrl+C in a terminal reaches the children too; give AppHost's own handler a moment to say "stopping".
            if (await stop.DelayAsync(TimeSpan.FromMilliseconds(300))) return;
            var delay = backoff.Next(uptime.Elapsed);
            Restarts++;
            Terminal.Info($"{Name} exited with code {code}; restart #{Restarts} in {delay.TotalSeconds:0}s");
            if (await stop.DelayAsync(delay)) return;
        }
    }

    private Process Start()
    {
        var process = new Process { StartInfo = startInfo(), EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Log.Line(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Log.Line(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int? SafePid(Process process)
    {
        try
        {
            return process.Id;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
