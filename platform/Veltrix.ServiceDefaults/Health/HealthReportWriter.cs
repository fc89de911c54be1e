using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Veltrix.ServiceDefaults.Health;

/// <summary>
/// A short JSON body for <c>/readyz</c>: the overall status and, per check, its status and reason — what an operator
/// needs to see why a pod is not ready, without exception text.
/// </summary>
internal static class HealthReportWriter
{
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteString("status", report.Status.ToString());
        writer.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            writer.WriteStartObject(name);
            writer.WriteString("status", entry.Status.ToString());
            if (entry.Description is { } description) writer.WriteString("description", description);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }
}
