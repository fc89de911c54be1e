using System.Text.RegularExpressions;

namespace Veltrix.AppHost.Console;

using Console = System.Console;

/// <summary>
/// The one place that writes to the console, line by line under a lock so prefixed lines of several processes never
/// interleave mid-line. ANSI colours only when stdout is a terminal (and NO_COLOR is not set). Once the run's log
/// folder is known every line also goes to `apphost.log` there, without colours: what a run printed survives it, and
/// a run hosted inside another process (Aspire's testing builder) has its console in a file of its own.
/// </summary>
public static partial class Terminal
{
    private static readonly Lock Gate = new();
    private static StreamWriter? _file;
    private static readonly string[] Palette = ["36", "32", "33", "35", "34", "96", "92", "93", "95", "94"];

    public static bool UseColour { get; } =
        !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
        && Environment.GetEnvironmentVariable("TERM") != "dumb";

    public static string Colour(int index) => Palette[index % Palette.Length];

    public static string Paint(string text, string colour) => UseColour ? $"\u001b[{colour}m{text}\u001b[0m" : text;

    public static string Bold(string text) => UseColour ? $"\u001b[1m{text}\u001b[0m" : text;

    /// <summary>A line AppHost itself says (progress, restarts).</summary>
    public static void Info(string text) => Write(Console.Out, Paint("apphost", "90") + " " + text);

    public static void Error(string text) => Write(Console.Error, UseColour ? $"\u001b[31m{text}\u001b[0m" : text);

    public static void Raw(string text) => Write(Console.Out, text);

    public static void Write(TextWriter writer, string text)
    {
        lock (Gate)
        {
            writer.WriteLine(text);
            writer.Flush();
            _file?.WriteLine(UseColour ? AnsiEscape().Replace(text, "") : text);
        }
    }

    /// <summary>From now on every line also goes to <paramref name="file"/> (made anew, 0600); replaces an earlier file.</summary>
    public static void AlsoWriteTo(string file)
    {
        var writer = new StreamWriter(Run.PrivateFiles.OpenWrite(file, append: false)) { AutoFlush = true };
        lock (Gate)
        {
            _file?.Dispose();
            _file = writer;
        }
    }

    [GeneratedRegex("\u001b\\[[0-9;]*m")]
    private static partial Regex AnsiEscape();
}
