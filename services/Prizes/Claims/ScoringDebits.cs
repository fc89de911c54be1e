using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapr.Client;

namespace Veltrix.Prizes.Claims;

/// <summary>
/// Scoring's debit command through Dapr service invocation (app <c>scoring</c>), with the SDK's invokable
/// <see cref="HttpClient"/>: the sidecar finds scoring, adds scoring's app token and applies the resiliency policies,
/// here as under daprd. Both calls are idempotent on the debit id at scoring.
/// </summary>
public sealed class ScoringDebits(DaprClient dapr) : IDisposable
{
    public const string AppId = "scoring";
    private readonly HttpClient _scoring = dapr.CreateInvokableHttpClient(AppId);

    /// <summary>Debits once per <paramref name="debitId"/>; 409 (too few points) is a decision, anything else but 200 throws.</summary>
    public async Task<DebitDecision> DebitAsync(PointsDebit debit, string debitId, CancellationToken cancellationToken)
    {
        using var response = await _scoring.PostAsJsonAsync($"{LedgerPath(debit)}/debits", new DebitCommand(debitId, debit.Amount), PrizesJson.Default.DebitCommand,
            cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            var settled = await response.Content.ReadFromJsonAsync(PrizesJson.Default.DebitAnswer, cancellationToken);
            return new DebitDecision(true, settled?.Balance ?? 0, null, null);
        }
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            var problem = await response.Content.ReadFromJsonAsync(PrizesJson.Default.JsonElement, cancellationToken);
            return new DebitDecision(false, 0, Text(problem, "code") ?? "VX6103", Text(problem, "detail") ?? "scoring refused the debit");
        }
        throw new HttpRequestException($"scoring answered the debit with {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}",
            null, response.StatusCode);
    }

    /// <summary>Refunds the debit if it was applied, or makes sure it never applies; idempotent.</summary>
    public async Task CancelAsync(PointsDebit debit, string debitId, CancellationToken cancellationToken)
    {
        using var response = await _scoring.PostAsync($"{LedgerPath(debit)}/debits/{Uri.EscapeDataString(debitId)}/cancel", null, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"scoring answered the refund with {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}",
                null, response.StatusCode);
    }

    public void Dispose() => _scoring.Dispose();

    private static string LedgerPath(PointsDebit debit) => $"ledgers/{Uri.EscapeDataString(debit.HuntId)}/{Uri.EscapeDataString(debit.PlayerId)}";

    private static string? Text(JsonElement problem, string property) =>
        problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>The body of scoring's debit command.</summary>
public sealed record DebitCommand(string DebitId, long Amount);

/// <summary>The part of scoring's answer a claim needs.</summary>
public sealed record DebitAnswer(string? DebitId, long Balance);
