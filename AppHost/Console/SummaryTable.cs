using Veltrix.AppHost.Run;

namespace Veltrix.AppHost.Console;

/// <summary>The table printed once everything is healthy: where each app is, then the operator token and the logs.</summary>
public static class SummaryTable
{
    public static void Print(IReadOnlyList<(PlannedApp App, int? Pid, string Status)> rows, string operatorToken, bool tokenGenerated, string logDir)
    {
        string[] header = ["app", "URL", "Dapr HTTP port", "Dapr gRPC port", "pid", "status"];
        var cells = rows.Select(r => new[]
        {
            r.App.AppId, r.App.Url, r.App.DaprHttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            r.App.DaprGrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            r.Pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-", r.Status,
        }).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(i => cells.Select(c => c[i].Length).Append(header[i].Length).Max()).ToArray();
        string Row(string[] values) => "  " + string.Join("  ", values.Select((v, i) => v.PadRight(widths[i]))).TrimEnd();

        Terminal.Raw("");
        Terminal.Raw(Terminal.Bold(Row(header)));
        foreach (var row in cells) Terminal.Raw(Row(row));
        Terminal.Raw("");
        Terminal.Raw($"  operator token: {operatorToken}" + (tokenGenerated ? "  (generated for this run; set VELTRIX_OPERATOR_TOKEN to choose it)" : "  (from VELTRIX_OPERATOR_TOKEN)"));
        Terminal.Raw($"  logs:           {logDir}");
        Terminal.Raw("  Press Ctrl+C to stop everything.");
        Terminal.Raw("");
    }
}
