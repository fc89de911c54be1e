using System.Text;
using System.Text.RegularExpressions;
using Veltrix.Cli.Checking;
using Veltrix.Events.Checks;

namespace Veltrix.Cli.Tests;

/// <summary>
/// Every key of the base project's files (and of a case with a Subscription), given a value of each wrong shape — a
/// list, a mapping, an empty text, a negative number — in place of its value or block: `veltrix check` never throws,
/// and never points at 1:1 of the file it reports about when it is a value further down that is at fault (the
/// finding belongs at the value, or at the mapping a required key is missing from).
/// </summary>
public sealed partial class WrongShapedValueTests
{
    private static readonly string[] Shapes = ["[1, 2]", "{a: 1}", "\"\"", "-1"];

    public static TheoryData<string> Cases() => new("_base", "vx5031-subscription-shared-consumer-group");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_key_with_a_value_of_the_wrong_shape_is_reported_away_from_1_1(string name)
    {
        using var corpusCase = name == "_base" ? CorpusCase.Lay("vx5037-no-event-configuration", keepBase: true) : CorpusCase.Lay(name);
        var files = Directory.EnumerateFiles(corpusCase.Root, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var tried = 0;
        foreach (var file in files)
        {
            var original = File.ReadAllText(file);
            var lines = original.Split('\n');
            var relative = Path.GetRelativePath(corpusCase.Root, file).Replace('\\', '/');
            for (var i = 1; i < lines.Length; i++) // line 1 itself may rightly be reported at 1:1
            {
                if (KeyLine().Match(lines[i]) is not { Success: true } key) continue;
                foreach (var shape in Shapes)
                {
                    File.WriteAllText(file, Replace(lines, i, key, shape), new UTF8Encoding(false));
                    var mutation = $"{relative}:{i + 1} '{key.Groups["key"].Value}: {shape}'";
                    CheckResult result;
                    try
                    {
                        result = ProjectCheck.Run(corpusCase.Root, RuntimeTarget.Daprd);
                    }
                    catch (Exception e)
                    {
                        Assert.Fail($"{name}: {mutation} threw {e}");
                        throw;
                    }
                    var atStart = result.Diagnostics.FirstOrDefault(d => d.Location.File == relative && d.Location is { Line: 1, Column: 1 });
                    Assert.True(atStart is null, $"{name}: {mutation}: {atStart} points at 1:1 of the file");
                    tried++;
                }
            }
            File.WriteAllText(file, original);
        }
        Assert.True(tried >= 40, $"only {tried} mutations: the files lost their keys?");
    }

    /// <summary>The line with the key's value replaced; a block value (nothing after the colon) loses its block too.</summary>
    private static string Replace(string[] lines, int index, Match key, string shape)
    {
        var result = lines.ToList();
        result[index] = $"{key.Groups["indent"].Value}{key.Groups["key"].Value}: {shape}";
        if (key.Groups["value"].Value.Trim().Length == 0)
        {
            var indent = key.Groups["indent"].Value.Length;
            var end = index + 1;
            while (end < result.Count && (result[end].Trim().Length == 0 || result[end].Length - result[end].TrimStart().Length > indent)) end++;
            result.RemoveRange(index + 1, end - index - 1);
        }
        return string.Join('\n', result);
    }

    [GeneratedRegex(@"^(?<indent>\s*(?:- )?)(?<key>[A-Za-z][\w.-]*):(?<value>.*)$")]
    private static partial Regex KeyLine();
}
