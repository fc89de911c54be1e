using System.Diagnostics;

namespace Veltrix.AppHost.Processes;

/// <summary>
/// A process and everything it started (`dotnet run` starts the app as a child). Stopping is graceful first —
/// SIGTERM to every member, up to the grace period — and then SIGKILL for whatever is left, so nothing is orphaned.
/// </summary>
public static class ProcessTree
{
    /// <summary>Every descendant of <paramref name="root"/>, found through /proc (parent ids).</summary>
    public static IReadOnlyList<int> Descendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in SafeDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields.Length > 1 && int.TryParse(fields[1], out var parent))
                {
                    if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
                    list.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
            {
                // the process ended while we looked
            }
        }
        var result = new List<int>();
        var pending = new Stack<int>([root]);
        while (pending.Count > 0)
            if (children.TryGetValue(pending.Pop(), out var list))
                foreach (var child in list)
                {
                    result.Add(child);
                    pending.Push(child);
                }
        return result;
    }

    /// <summary>SIGTERM to the tree, wait up to <paramref name="grace"/>, then SIGKILL what is still running.</summary>
    public static async Task StopAsync(Process process, IEnumerable<int> knownDescendants, TimeSpan grace)
    {
        if (HasExited(process))
        {
            KillAll(knownDescendants);
            return;
        }
        var members = Descendants(process.Id).Union(knownDescendants).ToList();
        Posix.Terminate(process.Id);
        foreach (var pid in members) Posix.Terminate(pid);

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < grace && (!HasExited(process) || members.Any(Posix.IsAlive)))
            await Task.Delay(50);

        if (!HasExited(process))
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // exited meanwhile
            }
        }
        KillAll(members);
        process.WaitForExit(TimeSpan.FromSeconds(5));
    }

    public static void KillAll(IEnumerable<int> pids)
    {
        foreach (var pid in pids)
            if (Posix.IsAlive(pid)) Posix.ForceKill(pid);
    }

    private static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private static string[] SafeDirectories(string path)
    {
        try
        {
            return Directory.GetDirectories(path);
        }
        catch (IOException)
        {
            return [];
        }
    }
}
