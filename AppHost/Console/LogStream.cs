namespace Veltrix.AppHost.Console;

/// <summary>
/// The output of one process (an app or the sidecar): every line goes to its log file, and to the console with a
/// coloured, padded prefix (`hunt        | …`). While <see cref="Hold"/> is on, console lines are kept back so that
/// start-up diagnostics can be shown verbatim instead.
/// </summary>
public sealed class LogStream : IDisposable
{
    private readonly string _prefix;
    private readonly StreamWriter _file;
    private readonly Lock _gate = new();
    private readonly List<string> _held = [];
    private readonly Queue<string> _tail = new();
    private bool _holding;

    public LogStream(string name, int colourIndex, int width, string logFile)
    {
        Name = name;
        LogFile = logFile;
        _prefix = Terminal.Paint(name.PadRight(width) + " |", Terminal.Colour(colourIndex)) + " ";
        _file = new StreamWriter(new FileStream(logFile, FileMode.Create, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
    }

    public string Name { get; }
    public string LogFile { get; }

    public void Hold()
    {
        lock (_gate) _holding = true;
    }

    /// <summary>Ends holding; the held lines are either printed with the prefix or returned (to be shown verbatim).</summary>
    public IReadOnlyList<string> Release(bool print)
    {
        List<string> held;
        lock (_gate)
        {
            _holding = false;
            held = [.. _held];
            _held.Clear();
        }
        if (print) foreach (var line in held) Terminal.Raw(_prefix + line);
        return held;
    }

    public void Line(string line)
    {
        lock (_gate)
        {
            _file.WriteLine(line);
            _tail.Enqueue(line);
            if (_tail.Count > 20) _tail.Dequeue();
            if (_holding)
            {
                _held.Add(line);
                return;
            }
        }
        Terminal.Raw(_prefix + line);
    }

    /// <summary>The last lines written, for failure messages.</summary>
    public IReadOnlyList<string> Tail(int count)
    {
        lock (_gate) return _tail.TakeLast(count).ToList();
    }

    public void Dispose()
    {
        lock (_gate) _file.Dispose();
    }
}
