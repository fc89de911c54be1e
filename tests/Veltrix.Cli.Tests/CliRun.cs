using System.Text.Json;
using System.Text.RegularExpressions;
using Veltrix.Cli;
using Veltrix.Cli.Commands;

namespace Veltrix.Cli.Tests;

/// <summary>One `veltrix` invocation in-process: exit code and everything it printed.</summary>
public sealed partial record CliRun(int ExitCode, string Output, string Error)
{
    public static async Task<CliRun> Of(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await VeltrixCommandLine.RunAsync(args, new CliContext(output, error), TestContext.Current.CancellationToken);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>The diagnostics of `check --format json`, as "CODE severity file:line:col".</summary>
    public IReadOnlyList<string> Diagnostics()
    {
        using var json = JsonDocument.Parse(Output);
        return json.RootElement.GetProperty("diagnostics").EnumerateArray()
            .Select(d => $"{d.GetProperty("code").GetString()} {d.GetProperty("severity").GetString()} " +
                         $"{d.GetProperty("file").GetString()}:{d.GetProperty("line").GetInt32()}:{d.GetProperty("column").GetInt32()}" +
                         (d.TryGetProperty("related", out var related)
                             ? $" also {related.GetProperty("file").GetString()}:{related.GetProperty("line").GetInt32()}:{related.GetProperty("column").GetInt32()}"
                             : ""))
            .ToList();
    }

    /// <summary>Fails when anything printed looks like an exception escaped: stack frames or an exception type's name.</summary>
    public void AssertNoStackTrace()
    {
        foreach (var text in new[] { Output, Error })
        {
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
            Assert.DoesNotMatch(ExceptionName(), text);
        }
    }

    [GeneratedRegex(@"\b[A-Z]\w*Exception\b", RegexOptions.CultureInvariant)]
    private static partial Regex ExceptionName();
}
