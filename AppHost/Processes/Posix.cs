using System.Runtime.InteropServices;

namespace Veltrix.AppHost.Processes;

/// <summary>
/// Signals by process id. .NET's Process.Kill sends SIGKILL on Linux; a graceful stop needs SIGTERM, which ASP.NET
/// apps and the sidecar answer by draining and exiting.
/// </summary>
public static class Posix
{
    private const int SigKill = 9;
    private const int SigTerm = 15;

    public static void Terminate(int pid) => _ = Kill(pid, SigTerm);

    public static void ForceKill(int pid) => _ = Kill(pid, SigKill);

    /// <summary>True while the process exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks for one int-only call
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
