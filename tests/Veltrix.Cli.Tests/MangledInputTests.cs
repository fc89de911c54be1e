using System.Text;
using System.Text.RegularExpressions;
using Veltrix.Cli.Checking;
using Veltrix.Events.Checks;

namespace Veltrix.Cli.Tests;

/// <summary>
/// No input makes `veltrix check` throw: every corpus case with its YAML mangled the ways people and editors mangle
/// it (a line lost, doubled or cut, a YAML-significant character dropped in, indentation shifted) still gives
/// diagnostics — each with a VX code and a real position — and never an exception (which the CLI would print as a
/// stack trace). Seeded, so a failure names the case, file and mutation that broke it and repeats.
/// </summary>
public sealed partial class MangledInputTests
{
    private const int MutationsPerFile = 6;
    private static readonly string[] Inserts = [":", "- ", "[", "]", "{", "}", "&a ", "*a", "!!binary ", "|", ">", "'", "\"", "#", "\t", "\0", "? ", "---\n", "%YAML 1.1\n", "\uD800", "{{", "-1", "99999999999999999999"];

    public static TheoryData<string> Cases() => new(CorpusCase.Names().Prepend("_base"));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Check_never_throws_on_a_mangled_case(string name)
    {
        using var corpusCase = name == "_base" ? CorpusCase.Lay("vx5037-no-event-configuration", keepBase: true) : CorpusCase.Lay(name);
        var files = Directory.EnumerateFiles(corpusCase.Root, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var random = new Random(name.Aggregate(17, (h, c) => h * 31 + c));
        foreach (var file in files)
        {
            var original = File.ReadAllText(file);
            for (var i = 0; i < MutationsPerFile; i++)
            {
                var (mutation, text) = Mangle(original, random);
                File.WriteAllText(file, text, new UTF8Encoding(false));
                foreach (var target in new[] { RuntimeTarget.DevSidecar, RuntimeTarget.Daprd })
                {
                    CheckResult result;
                    try
                    {
                        result = ProjectCheck.Run(corpusCase.Root, target);
                    }
                    catch (Exception e)
                    {
                        Assert.Fail($"{name}: {Path.GetRelativePath(corpusCase.Root, file)} with {mutation} ({target}) threw {e}");
                        throw;
                    }
                    foreach (var d in result.Diagnostics)
                    {
                        Assert.Matches(Code(), d.Code);
                        Assert.True(d.Location.Line >= 1 && d.Location.Column >= 1, $"{name}: {mutation}: {d} has no position");
                    }
                }
            }
            File.WriteAllText(file, original);
        }
    }

    private static (string Mutation, string Text) Mangle(string text, Random random)
    {
        var lines = text.Split('\n').ToList();
        var at = random.Next(lines.Count);
        switch (random.Next(6))
        {
            case 0:
                lines.RemoveAt(at);
                return ($"line {at + 1} removed", string.Join('\n', lines));
            case 1:
                lines.Insert(at, lines[at]);
                return ($"line {at + 1} doubled", string.Join('\n', lines));
            case 2:
                var cut = random.Next(text.Length + 1);
                return ($"cut after {cut} characters", text[..cut]);
            case 3:
                lines[at] = "  " + lines[at];
                return ($"line {at + 1} indented", string.Join('\n', lines));
            case 4:
                lines[at] = lines[at].TrimStart();
                return ($"line {at + 1} dedented", string.Join('\n', lines));
            default:
                var insert = Inserts[random.Next(Inserts.Length)];
                var position = random.Next(text.Length + 1);
                return ($"'{insert}' inserted at {position}", text.Insert(position, insert));
        }
    }

    [GeneratedRegex(@"^VX\d{4}$")]
    private static partial Regex Code();
}
