using System.Text.RegularExpressions;
using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests;

/// <summary>docs/errors.md and the codes the code can emit stay in step, across every project of the repository.</summary>
public sealed partial class ErrorCatalogueTests
{
    [Fact]
    public void Every_code_is_documented_and_every_documented_code_exists()
    {
        var sources = new[] { "platform", "services", "AppHost" }
            .Select(folder => Path.Combine(RepositoryLayout.Root, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        var declared = sources.SelectMany(file => CodeConstant().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value)).ToList();
        var catalogue = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "docs", "errors.md"));
        var documented = TableRow().Matches(catalogue).Select(m => m.Groups[1].Value).ToList();

        Assert.NotEmpty(declared);
        Assert.Empty(declared.Except(documented));
        Assert.Empty(documented.Except(declared));
        Assert.Equal(declared.Count, declared.Distinct().Count()); // one constant per code
        Assert.Equal(documented.Count, documented.Distinct().Count());
    }

    // A code is declared once, as a constant: `public const string Name = "VX1234";`
    [GeneratedRegex(@"const string \w+ = ""(VX\d{4})""")]
    private static partial Regex CodeConstant();

    [GeneratedRegex(@"^\| (VX\d{4}) \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
