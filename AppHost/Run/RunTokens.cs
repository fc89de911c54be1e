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
    /// <summary>
    /// The fewest characters of an operator token AppHost runs with — the services' own minimum, below which they keep
    /// their operator endpoints closed (VX3012). AppHost refuses such a token before anything starts (VX4011) rather
    /// than start a run whose operator endpoints, dashboard commands and player tokens (derived from it) would all be
    /// closed; unset, it generates 43 characters, so the local default never meets this.
    /// </summary>
    public const int MinOperatorTokenLength = 16;

    public static RunTokens Create()
    {
        var operatorToken = Environment.GetEnvironmentVariable("VELTRIX_OPERATOR_TOKEN");
        var generated = string.IsNullOrWhiteSpace(operatorToken);
        if (!generated && operatorToken!.Length < MinOperatorTokenLength)
            throw new AppHostError(AppHostErrorCodes.WeakOperatorToken,
                $"VELTRIX_OPERATOR_TOKEN has {operatorToken.Length} characters; an operator token needs at least {MinOperatorTokenLength}, so a short one could be guessed",
                "set a longer random token (`export VELTRIX_OPERATOR_TOKEN=$(openssl rand -hex 16)`), or unset it and AppHost generates one for the run");
        return new RunTokens(FromEnvironmentOrNew("DAPR_API_TOKEN"), FromEnvironmentOrNew("APP_API_TOKEN"), generated ? New() : operatorToken!, generated);
    }

    private static string FromEnvironmentOrNew(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { } given && !string.IsNullOrWhiteSpace(given) ? given : New();

    private static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
