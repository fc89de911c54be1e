using System.Globalization;
using Veltrix.Testing;

namespace Veltrix.Bench;

/// <summary>CPU time (user + system) per process of a run, from /proc: where a run's time goes, app by app.</summary>
internal static class ProcessCpu
{
    public static Dictionary<string, double> Snapshot(RunningSystem system)
    {
        var result = new Dictionary<string, double>();
        foreach (var app in system.Apps().Values) result[app.AppId] = Seconds(app.Pid);
        if (system.SidecarPid is { } sidecar) result["sidecar"] = Seconds(sidecar);
        return result;
    }

    public static Dictionary<string, double> Minus(this Dictionary<string, double> after, Dictionary<string, double> before) =>
        after.ToDictionary(a => a.Key, a => a.Value - before.GetValueOrDefault(a.Key));

    /// <summary>
    /// The process and its children (`dotnet run` starts the app as a child); with <paramref name="children"/> false the
    /// process alone (the load tool's own CPU, without the sidecar it started).
    /// </summary>
    public static double Seconds(int pid, bool children = true) =>
        Processes().Where(stat => stat.Pid == pid || (children && stat.Parent == pid)).Sum(stat => stat.Ticks) / 100.0; // USER_HZ

    /// <summary>The process and its direct children (`dotnet run` starts the app as its child).</summary>
    public static int[] WithChildren(int pid) => [pid, .. Processes().Where(stat => stat.Parent == pid).Select(stat => stat.Pid)];

    /// <summary>User + system ticks of the threads of <paramref name="pid"/> whose name starts with <paramref name="namePrefix"/>.</summary>
    public static long ThreadTicks(int pid, string namePrefix)
    {
        try
        {
            return Directory.EnumerateDirectories($"/proc/{pid}/task").Select(task => ReadStat(Path.Combine(task, "stat")))
                .Where(stat => stat?.Name.StartsWith(namePrefix, StringComparison.Ordinal) == true).Sum(stat => stat!.Value.Ticks);
        }
        catch (IOException)
        {
            return 0; // the process ended while its threads were listed
        }
    }

    private readonly record struct Stat(int Pid, int Parent, string Name, long Ticks);

    private static IEnumerable<Stat> Processes() =>
        Directory.GetDirectories("/proc").Where(path => int.TryParse(Path.GetFileName(path), out _))
            .Select(path => ReadStat(Path.Combine(path, "stat"))).OfType<Stat>();

    /// <summary>A process's or thread's stat file: its id, parent, name and user + system ticks; null if it has ended.</summary>
    private static Stat? ReadStat(string path)
    {
        try
        {
            var text = File.ReadAllText(path);
            var open = text.IndexOf('(', StringComparison.Ordinal);
            var close = text.LastIndexOf(')');
            var fields = text[(close + 2)..].Split(' ');
            return new Stat(int.Parse(text.AsSpan(0, open - 1), CultureInfo.InvariantCulture), int.Parse(fields[1], CultureInfo.InvariantCulture),
                text[(open + 1)..close], long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
        }
        catch (IOException)
        {
            return null;
        }
    }
}
