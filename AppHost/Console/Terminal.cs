namespace Veltrix.AppHost.Console;

using Console = System.Console;

/// <summary>
/// The one place that writes to the console, line by line under a lock so prefixed lines of several processes never
/// interleave mid-line. ANSI colours only when stdout is a terminal (and NO_COLOR is not set).
/// </summary>
public static class Terminal
{
    private static readonly Lock Gate = new();
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
        }
    }
}
