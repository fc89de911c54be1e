using System.Globalization;
using System.Reflection;
using Veltrix.Events.Checks;

namespace Veltrix.Cli.Tests;

/// <summary>
/// Every case of Corpus/ through `veltrix check`: exactly the diagnostics expected.txt lists (code, severity, file,
/// line, column — nothing missing, nothing extra), the exit code that goes with them, and no stack trace anywhere.
/// </summary>
public sealed class CorpusTests
{
    public static TheoryData<string> Cases() => new(CorpusCase.Names());

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Check_reports_exactly_the_expected_diagnostics(string name)
    {
        using var corpusCase = CorpusCase.Lay(name);

        var run = await CliRun.Of("check", corpusCase.Root, "--format", "json", "--target", corpusCase.Target);

        run.AssertNoStackTrace();
        Assert.Equal("", run.Error);
        Assert.Equal(Lines(corpusCase.Expectations.Select(e => e.Key)), Lines(run.Diagnostics()));
        Assert.Equal(corpusCase.ExpectsErrors ? 1 : 0, run.ExitCode);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Text_output_points_at_each_position_with_the_line_and_a_caret(string name)
    {
        using var corpusCase = CorpusCase.Lay(name);

        var run = await CliRun.Of("check", corpusCase.Root, "--target", corpusCase.Target);

        run.AssertNoStackTrace();
        var lines = run.Output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        foreach (var expected in corpusCase.Expectations)
        {
            // Two findings may share a position (e.g. VX5046 and VX5029 on one 'pubsub'): the arrow under this code's header.
            var header = $"{expected.Severity}[{expected.Code}]: ";
            var arrow = Enumerable.Range(1, Math.Max(0, lines.Count - 1))
                .FirstOrDefault(i => lines[i] == $"  --> {expected.File}:{expected.Line}:{expected.Column}" && lines[i - 1].StartsWith(header, StringComparison.Ordinal), -1);
            Assert.True(arrow >= 0, $"no '{header}…' with '--> {expected.File}:{expected.Line}:{expected.Column}' below it in:\n{run.Output}");
            if (expected.Also is { } also)
                Assert.Contains($"  = see also: {also}", lines.Skip(arrow).TakeWhile(l => l.Length > 0));
            if (SourceLine(corpusCase.Root, expected) is not { } source) continue; // a folder or a missing path: nothing to show
            var number = expected.Line.ToString(CultureInfo.InvariantCulture);
            var gutter = new string(' ', number.Length);
            Assert.Equal($"{number}  | {source.TrimEnd()}", lines[arrow + 2]);
            Assert.Equal($"{gutter}  | {new string(' ', expected.Column - 1)}^", lines[arrow + 3]);
        }
        Assert.EndsWith(corpusCase.Expectations.Count == 0 ? "no problems found"
            : $"{corpusCase.Expectations.Count(e => e.Severity == "error")} error(s), {corpusCase.Expectations.Count(e => e.Severity == "warning")} warning(s)",
            run.Output.TrimEnd(), StringComparison.Ordinal);
    }

    /// <summary>The hand counts themselves: the text each expectation names starts at its line and column of the case's file.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_expected_position_holds_the_text_it_names(string name)
    {
        using var corpusCase = CorpusCase.Lay(name);
        foreach (var expected in corpusCase.Expectations.Where(e => e.Token is not null))
        {
            var source = SourceLine(corpusCase.Root, expected);
            Assert.NotNull(source);
            Assert.True(expected.Column - 1 <= source.Length, $"{expected.Key}: line is shorter than the column");
            Assert.StartsWith(expected.Token!, source[(expected.Column - 1)..], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_corpus_covers_every_static_event_code_the_resource_and_run_file_codes_and_the_deploy_codes()
    {
        var covered = CorpusCase.Names().SelectMany(n => File.ReadAllLines(Path.Combine(CorpusCase.CorpusFolder, n, "expected.txt")))
            .Select(l => l.Trim()).Where(l => l.StartsWith("VX", StringComparison.Ordinal)).Select(l => l[..6]).ToHashSet();
        // VX505x are run-time codes (control service, producers, consumers) and VX509x the CLI's own: not findings of `check`.
        var eventCodes = typeof(EventErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (string)f.GetValue(null)!).Where(c => string.CompareOrdinal(c, "VX5050") < 0);
        string[] others =
        [
            "VX1001", "VX1002", "VX1003", "VX1004", "VX1005", "VX1006", "VX1007", "VX1008", "VX1009", "VX1010", "VX1011", "VX1012", "VX1013",
            "VX1014", "VX1015", "VX1016", "VX1017", "VX1018", "VX1019", "VX1020", "VX1021", "VX1022", "VX4001",
        ];

        var deployCodes = typeof(Veltrix.Cli.Checking.DeployErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!);

        var missing = eventCodes.Concat(others).Concat(deployCodes).Where(c => !covered.Contains(c)).ToList();
        Assert.True(missing.Count == 0, "no corpus case for " + string.Join(", ", missing));
        Assert.True(CorpusCase.Names().Count() >= 45);
    }

    private static string Lines(IEnumerable<string> diagnostics) => string.Join('\n', diagnostics.Order(StringComparer.Ordinal));

    private static string? SourceLine(string root, Expected expected)
    {
        var path = Path.Combine(root, expected.File);
        if (!File.Exists(path)) return null;
        return File.ReadLines(path).Skip(expected.Line - 1).FirstOrDefault();
    }
}
