namespace Veltrix.AppHost.Processes;

/// <summary>
/// CrashLoopBackOff as Kubernetes does it: 1 s, 2 s, 4 s … capped at 30 s, back to 1 s once the process has run
/// for a minute.
/// </summary>
public sealed class Backoff
{
    public static readonly TimeSpan Cap = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan ResetAfter = TimeSpan.FromSeconds(60);

    private int _failures;

    public TimeSpan Next(TimeSpan uptime)
    {
        if (uptime >= ResetAfter) _failures = 0;
        var delay = TimeSpan.FromSeconds(Math.Min(Cap.TotalSeconds, Math.Pow(2, _failures)));
        _failures++;
        return delay;
    }
}
