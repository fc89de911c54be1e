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
    public static double Seconds(int pid, bool children = true)
    {
        var total = 0.0;
        foreach (var candidate in Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => int.TryParse(n, out _)))
        {
            var stat = ReadStat(candidate!);
            if (stat is null) continue;
            var (id, parent, ticks) = stat.Value;
            if (id == pid || (children && parent == pid)) total += ticks;
        }
        return total / 100.0; // USER_HZ
    }

    /// <summary>The process and its direct children (`dotnet run` starts the app as its child).</summary>
    public static int[] WithChildren(int pid) =>
        [pid, .. Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => int.TryParse(n, out _)).Select(name => ReadStat(name!)).Where(stat => stat?.Parent == pid).Select(stat => stat!.Value.Pid)];

    private static (int Pid, int Parent, long Ticks)? ReadStat(string pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return (int.Parse(pid, CultureInfo.InvariantCulture), int.Parse(fields[1], CultureInfo.InvariantCulture),
                long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
        }
        catch (IOException)
        {
            return null;
        }
    }
}
