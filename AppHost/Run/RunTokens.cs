using System.Buffers.Text;
using System.Security.Cryptography;

namespace Veltrix.AppHost.Run;

/// <summary>
/// DAPR_API_TOKEN (app → sidecar) and APP_API_TOKEN (sidecar → app) per app, as daprd has them — one app's token opens
/// no other app's state or invocations — and VELTRIX_OPERATOR_TOKEN. Each is taken from AppHost's environment when set
/// there (then DAPR_API_TOKEN / APP_API_TOKEN are every app's, as with `dapr run -f` — so a script or a test can call
/// any sidecar API, e.g. Dapr's workflow API) and is otherwise fresh per run and per app. Only a generated operator
/// token is printed (once, for operators); the sidecar tokens never are.
/// </summary>
public sealed record RunTokens(IReadOnlyDictionary<string, AppTokens> Apps, string OperatorToken, bool OperatorTokenGenerated)
{
    /// <summary>
    /// The fewest characters of an operator token AppHost runs with — the services' own minimum, below which they keep
    /// their operator endpoints closed (VX3012). AppHost refuses such a token before anything starts (VX4011) rather
    /// than start a run whose operator endpoints, dashboard commands and player tokens (derived from it) would all be
    /// closed; unset, it generates 43 characters, so the local default never meets this.
    /// </summary>
    public const int MinOperatorTokenLength = 16;

    public static RunTokens Create(IEnumerable<string> appIds)
    {
        var operatorToken = Environment.GetEnvironmentVariable("VELTRIX_OPERATOR_TOKEN");
        var generated = string.IsNullOrWhiteSpace(operatorToken);
        if (!generated && operatorToken!.Length < MinOperatorTokenLength)
            throw new AppHostError(AppHostErrorCodes.WeakOperatorToken,
                $"VELTRIX_OPERATOR_TOKEN has {operatorToken.Length} characters; an operator token needs at least {MinOperatorTokenLength}, so a short one could be guessed",
                "set a longer random token (`export VELTRIX_OPERATOR_TOKEN=$(openssl rand -hex 16)`), or unset it and AppHost generates one for the run");
        var daprApiToken = FromEnvironment("DAPR_API_TOKEN");
        var appApiToken = FromEnvironment("APP_API_TOKEN");
        var apps = appIds.Distinct(StringComparer.Ordinal).ToDictionary(id => id, _ => new AppTokens(daprApiToken ?? New(), appApiToken ?? New()), StringComparer.Ordinal);
        return new RunTokens(apps, generated ? New() : operatorToken!, generated);
    }

    private static string? FromEnvironment(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { } given && !string.IsNullOrWhiteSpace(given) ? given : null;

    private static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}

/// <summary>One app's tokens: the one it sends its sidecar (DAPR_API_TOKEN) and the one its sidecar sends it (APP_API_TOKEN).</summary>
public sealed record AppTokens(string DaprApiToken, string AppApiToken);
