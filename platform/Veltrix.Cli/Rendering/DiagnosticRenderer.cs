using System.Text;
using System.Text.Json;
using Veltrix.Resources.Diagnostics;

namespace Veltrix.Cli.Rendering;

/// <summary>
/// Diagnostics as a good compiler prints them — severity and code, file:line:col, the offending line with a caret,
/// what is wrong, and `help:` with the fix — or as JSON for tools.
/// </summary>
public static class DiagnosticRenderer
{
    public static string Text(IReadOnlyList<Diagnostic> diagnostics, string root)
    {
        var text = new StringBuilder();
        foreach (var d in diagnostics)
        {
            text.Append(d.IsError ? "error" : "warning").Append('[').Append(d.Code).Append("]: ").AppendLine(d.Message);
            text.Append("  --> ").AppendLine(d.Location.ToString());
            if (SourceLine(root, d.Location) is { } line)
            {
                var number = d.Location.Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var gutter = new string(' ', number.Length);
                text.Append(gutter).AppendLine("  |");
                text.Append(number).Append("  | ").AppendLine(line.TrimEnd());
                text.Append(gutter).Append("  | ").Append(new string(' ', Math.Max(0, d.Location.Column - 1))).AppendLine("^");
            }
            if (d.Related is { } other) text.Append("  = see also: ").AppendLine(other.ToString());
            if (d.Help.Length > 0) text.Append("  = help: ").AppendLine(d.Help);
            text.AppendLine();
        }
        var errors = diagnostics.Count(d => d.IsError);
        var warnings = diagnostics.Count - errors;
        text.Append(errors == 0 && warnings == 0 ? "no problems found" : $"{errors} error(s), {warnings} warning(s)");
        return text.ToString();
    }

    public static string Json(IReadOnlyList<Diagnostic> diagnostics)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("errors", diagnostics.Count(d => d.IsError));
            json.WriteNumber("warnings", diagnostics.Count(d => !d.IsError));
            json.WriteStartArray("diagnostics");
            foreach (var d in diagnostics)
            {
                json.WriteStartObject();
                json.WriteString("code", d.Code);
                json.WriteString("severity", d.IsError ? "error" : "warning");
                json.WriteString("file", d.Location.File);
                json.WriteNumber("line", d.Location.Line);
                json.WriteNumber("column", d.Location.Column);
                if (d.Related is { } other)
                {
                    json.WriteStartObject("related");
                    json.WriteString("file", other.File);
                    json.WriteNumber("line", other.Line);
                    json.WriteNumber("column", other.Column);
                    json.WriteEndObject();
                }
                json.WriteString("message", d.Message);
                json.WriteString("help", d.Help);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string? SourceLine(string root, SourceLocation location)
    {
        var path = Path.GetFullPath(location.File, root);
        if (!File.Exists(path) || location.Line < 1) return null;
        try
        {
            return File.ReadLines(path).Skip(location.Line - 1).FirstOrDefault();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
