using System.Reflection;
using System.Text.RegularExpressions;
using Veltrix.Resources.Diagnostics;
using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests;

/// <summary>docs/errors.md and the codes the code can emit stay in step.</summary>
public sealed partial class ErrorCatalogueTests
{
    [Fact]
    public void Every_code_is_documented_and_every_documented_code_exists()
    {
        var inCode = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!).ToHashSet();
        var catalogue = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "docs", "errors.md"));
        var documented = TableRow().Matches(catalogue).Select(m => m.Groups[1].Value).ToHashSet();

        Assert.Empty(inCode.Except(documented));
        Assert.Empty(documented.Except(inCode));
        Assert.Equal(inCode.Count, inCode.Distinct().Count());
    }

    [GeneratedRegex(@"^\| (VX\d{4}) \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
