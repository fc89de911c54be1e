using System.Buffers.Text;
using System.Security.Cryptography;

namespace Veltrix.AppHost.Run;

/// <summary>
/// DAPR_API_TOKEN (app → sidecar), APP_API_TOKEN (sidecar → app) and VELTRIX_OPERATOR_TOKEN: each is taken from
/// AppHost's environment when set there — as the Dapr CLI takes DAPR_API_TOKEN, so a script or a test can call the
/// sidecar's APIs (e.g. Dapr's workflow API) — and is otherwise fresh per run. Only a generated operator token is
/// printed (once, for operators); the sidecar tokens never are.
/// </summary>
public sealed record RunTokens(string DaprApiToken, string AppApiToken, string OperatorToken, bool OperatorTokenGenerated)
{
    public static RunTokens Create()
    {
        var operatorToken = Environment.GetEnvironmentVariable("VELTRIX_OPERATOR_TOKEN");
        var generated = string.IsNullOrWhiteSpace(operatorToken);
        return new RunTokens(FromEnvironmentOrNew("DAPR_API_TOKEN"), FromEnvironmentOrNew("APP_API_TOKEN"), generated ? New() : operatorToken!, generated);
    }

    private static string FromEnvironmentOrNew(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { } given && !string.IsNullOrWhiteSpace(given) ? given : New();

    private static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
