using System.Buffers.Text;
using System.Security.Cryptography;

namespace Veltrix.AppHost.Run;

/// <summary>
/// DAPR_API_TOKEN (app → sidecar) and APP_API_TOKEN (sidecar → app) are fresh per run and never printed;
/// VELTRIX_OPERATOR_TOKEN comes from the environment or is generated, and is printed once for operators.
/// </summary>
public sealed record RunTokens(string DaprApiToken, string AppApiToken, string OperatorToken, bool OperatorTokenGenerated)
{
    public static RunTokens Create()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("VELTRIX_OPERATOR_TOKEN");
        var generated = string.IsNullOrWhiteSpace(fromEnvironment);
        return new RunTokens(New(), New(), generated ? New() : fromEnvironment!, generated);
    }

    private static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
