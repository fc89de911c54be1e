using System.Runtime.InteropServices;

namespace Veltrix.Testing;

/// <summary>SIGTERM (what Ctrl+C and `kill` send); .NET's Process.Kill only sends SIGKILL.</summary>
public static partial class Signal
{
    private const int SigTerm = 15;

    public static void Terminate(int pid) => _ = Kill(pid, SigTerm);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
