using System.Globalization;
using Veltrix.AppHost.Run;

namespace Veltrix.AppHost.Console;

/// <summary>Printed once, when every app and sidecar is healthy: where each app is, the dashboard's login link, the operator token.</summary>
public static class SummaryTable
{
    public static void Print(PreparedRun run, IReadOnlyDictionary<string, int?> pids, string? browserToken)
    {
        var rows = new List<string[]> { new[] { "app", "URL", "Dapr HTTP port", "Dapr gRPC port", "pid", "status" } };
        rows.AddRange(run.Plan.Apps.Select(a => new[]
        {
            a.AppId, a.Url, Invariant(a.DaprHttpPort), Invariant(a.DaprGrpcPort), pids[a.AppId] is { } pid ? Invariant(pid) : "-", "healthy",
        }));
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var lines = new List<string> { "" };
        lines.AddRange(rows.Select((r, i) =>
        {
            var line = "  " + string.Join("  ", r.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd();
            return i == 0 ? Terminal.Bold(line) : line;
        }));
        lines.Add("");
        if (browserToken is not null) lines.Add($"  dashboard:      {run.Dashboard.DashboardUrl}/login?t={browserToken}");
        lines.Add(run.Tokens.OperatorTokenGenerated
            ? $"  operator token: {run.Tokens.OperatorToken}  (generated for this run; set VELTRIX_OPERATOR_TOKEN to choose it)"
            : $"  operator token: {run.Tokens.OperatorToken}  (from VELTRIX_OPERATOR_TOKEN)");
        lines.Add($"  logs:           {run.Plan.LogDir}");
        lines.Add("  Press Ctrl+C to stop everything.");
        Terminal.Raw(string.Join('\n', lines));
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
