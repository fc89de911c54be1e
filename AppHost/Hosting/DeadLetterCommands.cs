using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Veltrix.AppHost.Run;

namespace Veltrix.AppHost.Hosting;

/// <summary>
/// Dashboard commands on each app that owns dead letters: list them (how many are parked, per event type) and replay
/// them all. They call the owner's dead-letter API with the operator token, as `veltrix deadletters list` and
/// `veltrix deadletters replay TYPE --all` do, so the dashboard can neither see nor do more than the CLI.
/// </summary>
internal static class DeadLetterCommands
{
    /// <summary>
    /// Letters per second a replay sends: the API's default, low enough that a replay of thousands does not flood the
    /// consumers that failed them before, and the same every time (the dashboard asks nothing but a confirmation).
    /// </summary>
    public const int ReplayRatePerSecond = 100;

    // A replay of the newest 1,000 letters of a type takes 10 s at that rate; several types take longer.
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(5) };

    public static IResourceBuilder<ProjectResource> WithDeadLetterCommands(this IResourceBuilder<ProjectResource> owner, PlannedApp app, string operatorToken)
    {
        var letters = new Uri(new Uri(app.Url), "veltrix/dead-letters/");
        static ResourceCommandState EnabledWhenHealthy(UpdateCommandStateContext context) =>
            context.ResourceSnapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
                ? ResourceCommandState.Enabled
                : ResourceCommandState.Disabled;

        owner.WithCommand("veltrix-deadletters-list", "List dead letters", async context =>
            {
                var (counts, failure) = await CountsAsync(letters, operatorToken, context.CancellationToken);
                if (failure is not null) return failure;
                return CommandResults.Success($"{counts!.Sum(c => c.Parked)} parked: " +
                    string.Join(", ", counts!.Select(c => $"{c.Type} {c.Parked.ToString(CultureInfo.InvariantCulture)}")));
            },
            new CommandOptions
            {
                UpdateState = EnabledWhenHealthy,
                Description = "GET /veltrix/dead-letters: how many dead letters this app has parked, per event type",
                IconName = "MailInbox",
            });

        owner.WithCommand("veltrix-deadletters-replay", "Replay dead letters", async context =>
                await ReplayAllAsync(letters, operatorToken, context.CancellationToken),
            new CommandOptions
            {
                UpdateState = EnabledWhenHealthy,
                Description = $"POST /veltrix/dead-letters/{{type}}/replay for every type: all parked letters not replayed before, {ReplayRatePerSecond} per second",
                ConfirmationMessage = $"Publish every parked dead letter of {app.AppId} again (not those replayed before), {ReplayRatePerSecond} per second, under the active configuration version?",
                IconName = "ArrowRepeatAll",
            });
        return owner;
    }

    private static async Task<ExecuteCommandResult> ReplayAllAsync(Uri letters, string operatorToken, CancellationToken cancellationToken)
    {
        var (counts, failure) = await CountsAsync(letters, operatorToken, cancellationToken);
        if (failure is not null) return failure;
        int replayed = 0, skipped = 0, failed = 0;
        var lines = new List<string>();
        foreach (var count in counts!.Where(c => c.Parked > 0))
        {
            using var request = Request(HttpMethod.Post, new Uri(letters, Uri.EscapeDataString(count.Type) + "/replay"), operatorToken);
            request.Content = JsonContent.Create(new Dictionary<string, object> { ["all"] = true, ["ratePerSecond"] = ReplayRatePerSecond });
            var (body, error) = await SendAsync(request, cancellationToken);
            if (error is not null) return CommandResults.Failure($"{count.Type}: {error}{(lines.Count > 0 ? "; before that " + string.Join(", ", lines) : "")}");
            var r = body.GetProperty("replayed").GetArrayLength();
            var s = body.GetProperty("skipped").GetArrayLength();
            var f = body.GetProperty("failed").GetArrayLength();
            (replayed, skipped, failed) = (replayed + r, skipped + s, failed + f);
            lines.Add($"{count.Type} {r} replayed, {s} skipped, {f} failed");
        }
        var summary = $"{replayed} replayed, {skipped} skipped (replayed before), {failed} failed" + (lines.Count > 0 ? ": " + string.Join("; ", lines) : "");
        return failed > 0 ? CommandResults.Failure(summary) : CommandResults.Success(summary);
    }

    private static async Task<(List<(string Type, int Parked)>? Counts, ExecuteCommandResult? Failure)> CountsAsync(Uri letters, string operatorToken,
        CancellationToken cancellationToken)
    {
        // GET /veltrix/dead-letters (no trailing slash: that is the route the owner maps).
        using var request = Request(HttpMethod.Get, new Uri(letters.ToString().TrimEnd('/')), operatorToken);
        var (body, error) = await SendAsync(request, cancellationToken);
        if (error is not null) return (null, CommandResults.Failure(error));
        return ([.. body.EnumerateArray().Select(t => (t.GetProperty("type").GetString()!, t.GetProperty("parked").GetInt32()))], null);
    }

    private static HttpRequestMessage Request(HttpMethod method, Uri url, string operatorToken)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", operatorToken);
        return request;
    }

    /// <summary>The owner's JSON answer, or what the dashboard shows instead: its problem+json (with the VX code) or why it did not answer.</summary>
    private static async Task<(JsonElement Body, string? Error)> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode) return (default, $"{(int)response.StatusCode}: {text}");
            return (JsonDocument.Parse(text).RootElement.Clone(), null);
        }
        catch (HttpRequestException e)
        {
            return (default, $"the app did not answer: {e.Message}");
        }
        catch (JsonException e)
        {
            return (default, $"the app answered something that is not JSON: {e.Message}");
        }
    }
}
