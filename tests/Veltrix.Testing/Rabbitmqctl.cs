using System.Diagnostics;

namespace Veltrix.Testing;

/// <summary>The test broker's own control tool (Debian's rabbitmq-server package), for vhosts, restarts and queue counts.</summary>
public static class Rabbitmqctl
{
    /// <summary>Runs it and returns what it printed (with -q: the data alone, tab-separated for the list_ commands).</summary>
    public static async Task<string> RunAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo(File.Exists("/usr/sbin/rabbitmqctl") ? "/usr/sbin/rabbitmqctl" : "rabbitmqctl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-q");
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["ERL_EPMD_ADDRESS"] = "127.0.0.1"; // an epmd it starts listens on loopback only
        using var process = Process.Start(info) ?? throw new InvalidOperationException("rabbitmqctl could not be started");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} did not finish within 90 s");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}{await output}");
        return await output;
    }
}
