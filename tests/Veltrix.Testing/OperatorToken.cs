using System.Text.RegularExpressions;

namespace Veltrix.Testing;

/// <summary>The operator token AppHost generated for a run, read from its summary table (as an operator reads it).</summary>
public static partial class OperatorToken
{
    public static async Task<string> OfAsync(RunningSystem system)
    {
        string? token = null;
        await Eventually.UntilAsync(() => (token = TokenLine().Match(system.Output) is { Success: true } m ? m.Groups[1].Value : null) is not null,
            "AppHost to print the operator token", TimeSpan.FromSeconds(30));
        return token!;
    }

    [GeneratedRegex(@"operator token: (\S+)")]
    private static partial Regex TokenLine();
}
