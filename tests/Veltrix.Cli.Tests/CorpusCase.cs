namespace Veltrix.Cli.Tests;

/// <summary>
/// One case of Corpus/: the base project with the case's files laid over it, in a folder of its own, and what
/// `veltrix check` must say about it (Corpus/README.md describes expected.txt).
/// </summary>
public sealed class CorpusCase(string name, string root, IReadOnlyList<Expected> expectations, string target) : IDisposable
{
    public static string CorpusFolder => Path.Combine(AppContext.BaseDirectory, "Corpus");

    public static IEnumerable<string> Names() =>
        Directory.EnumerateDirectories(CorpusFolder).Select(Path.GetFileName).OfType<string>()
            .Where(n => !n.StartsWith('_')).Order(StringComparer.Ordinal);

    public string Name { get; } = name;

    /// <summary>The folder checked: a copy of _base with the case's files laid over it.</summary>
    public string Root { get; } = root;

    public IReadOnlyList<Expected> Expectations { get; } = expectations;

    /// <summary>--target of the check: dev (default) or daprd.</summary>
    public string Target { get; } = target;

    public bool ExpectsErrors => Expectations.Any(e => e.Severity == "error");

    /// <summary>Lays a case over the base; with keepBase, only the base (the case's expectations are not read).</summary>
    public static CorpusCase Lay(string name, bool keepBase = false)
    {
        if (keepBase)
        {
            var baseRoot = Path.Combine(Path.GetTempPath(), "veltrix-corpus", $"_base-{Guid.NewGuid():N}");
            Copy(Path.Combine(CorpusFolder, "_base"), baseRoot);
            return new CorpusCase("_base", baseRoot, [], "dev");
        }
        var source = Path.Combine(CorpusFolder, name);
        var root = Path.Combine(Path.GetTempPath(), "veltrix-corpus", $"{name}-{Guid.NewGuid():N}");
        Copy(Path.Combine(CorpusFolder, "_base"), root);
        Copy(source, root);
        File.Delete(Path.Combine(root, "expected.txt"));

        var expected = new List<Expected>();
        var target = "dev";
        foreach (var raw in File.ReadAllLines(Path.Combine(source, "expected.txt")))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.StartsWith("delete:", StringComparison.Ordinal)) File.Delete(Path.Combine(root, line["delete:".Length..].Trim()));
            else if (line.StartsWith("target:", StringComparison.Ordinal)) target = line["target:".Length..].Trim();
            else expected.Add(Expected.Parse(line));
        }
        return new CorpusCase(name, root, expected, target);
    }

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite: true);
        }
    }
}

/// <summary>
/// One expected diagnostic: `CODE severity file:line:col`, optionally followed by `at` and the text (in backticks)
/// that starts at that position in the file — the hand count, written down so it can be checked against the file —
/// and by `also file:line:col`, the other place a finding about two places names.
/// </summary>
public sealed partial record Expected(string Code, string Severity, string File, int Line, int Column, string? Token, string? Also = null)
{
    public string Key => $"{Code} {Severity} {File}:{Line}:{Column}" + (Also is null ? "" : $" also {Also}");

    public static Expected Parse(string line)
    {
        var match = Shape().Match(line);
        if (!match.Success) throw new FormatException($"expected 'CODE severity file:line:col [at `text`] [also file:line:col]': {line}");
        var position = match.Groups["position"].Value.Split(':');
        return new Expected(match.Groups["code"].Value, match.Groups["severity"].Value, position[0],
            int.Parse(position[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(position[2], System.Globalization.CultureInfo.InvariantCulture),
            match.Groups["token"].Success ? match.Groups["token"].Value : null, match.Groups["also"].Success ? match.Groups["also"].Value : null);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?<code>\S+) (?<severity>\S+) (?<position>\S+:\d+:\d+)(?: at `(?<token>.*?)`)?(?: also (?<also>\S+:\d+:\d+))?$")]
    private static partial System.Text.RegularExpressions.Regex Shape();
}
