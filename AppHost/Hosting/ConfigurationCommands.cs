using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Veltrix.AppHost.Run;

namespace Veltrix.AppHost.Hosting;

/// <summary>
/// Dashboard commands on the control app: activate a stored configuration version, or roll back to the one active
/// before. They call control's HTTP API with the operator token, as `veltrix config activate` / `rollback` do —
/// including the compare-and-swap: activate expects the version active now, so two operators cannot both win.
/// </summary>
internal static class ConfigurationCommands
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public static IResourceBuilder<ProjectResource> WithConfigurationCommands(this IResourceBuilder<ProjectResource> control, PlannedApp app, string operatorToken)
    {
        var baseAddress = new Uri(app.Url);
        var enabledWhenHealthy = new CommandOptions
        {
            UpdateState = context => context.ResourceSnapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
                ? ResourceCommandState.Enabled
                : ResourceCommandState.Disabled,
        };

        control.WithCommand("veltrix-config-activate", "Activate configuration version", async context =>
            {
                var interactions = context.Services.GetService(typeof(IInteractionService)) as IInteractionService;
                if (interactions is null || !interactions.IsAvailable) return CommandResults.Failure("the dashboard cannot ask for a version here; use `veltrix config activate NAME VERSION`");
                var answer = await interactions.PromptInputsAsync("Activate a configuration version",
                    "Every app routes by the version you activate within seconds (`veltrix config list` shows the stored ones).",
                    [
                        new InteractionInput { Name = "name", Label = "Configuration name", InputType = InputType.Text, Required = true, Value = "treasure-hunt" },
                        new InteractionInput { Name = "version", Label = "Version", InputType = InputType.Number, Required = true },
                    ], cancellationToken: context.CancellationToken);
                if (answer.Canceled) return CommandResults.Canceled();
                var name = answer.Data["name"].Value!;
                var version = answer.Data["version"].Value!;
                var expected = await ActiveLabelAsync(baseAddress, operatorToken, context.CancellationToken);
                return await PostAsync(new Uri(baseAddress, $"configurations/{Uri.EscapeDataString(name)}/versions/{Uri.EscapeDataString(version)}/activate"),
                    operatorToken, expected, context.CancellationToken);
            },
            new CommandOptions { UpdateState = enabledWhenHealthy.UpdateState, Description = "POST /configurations/{name}/versions/{version}/activate, expecting the version active now", IconName = "ArrowUpload" });

        control.WithCommand("veltrix-config-rollback", "Roll back configuration", async context =>
                await PostAsync(new Uri(baseAddress, "configurations/rollback"), operatorToken, expected: null, context.CancellationToken),
            new CommandOptions
            {
                UpdateState = enabledWhenHealthy.UpdateState,
                Description = "POST /configurations/rollback: activate the version that was active before the current one",
                ConfirmationMessage = "Activate the configuration version that was active before the current one?",
                IconName = "ArrowUndo",
            });
        return control;
    }

    private static async Task<string?> ActiveLabelAsync(Uri baseAddress, string operatorToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseAddress, "configurations/active"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", operatorToken);
        using var response = await Http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode) return null;
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return $"{body.GetProperty("name").GetString()}@{body.GetProperty("version").GetInt32()}";
    }

    /// <summary>The answer as the dashboard shows it: control's own message (a problem+json with its VX code) on failure.</summary>
    private static async Task<ExecuteCommandResult> PostAsync(Uri url, string operatorToken, string? expected, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = JsonContent.Create(new Dictionary<string, object?> { ["expectedActive"] = expected, ["force"] = false }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", operatorToken);
        try
        {
            using var response = await Http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return response.IsSuccessStatusCode ? CommandResults.Success(Summary(text)) : CommandResults.Failure($"{(int)response.StatusCode}: {text}");
        }
        catch (HttpRequestException e)
        {
            return CommandResults.Failure($"control did not answer: {e.Message}");
        }
    }

    private static string Summary(string json)
    {
        try
        {
            var body = JsonDocument.Parse(json).RootElement;
            return body.ValueKind == JsonValueKind.Object && body.TryGetProperty("name", out var name) && body.TryGetProperty("version", out var version)
                ? $"active: {name.GetString()}@{version.GetInt32()}"
                : json;
        }
        catch (JsonException)
        {
            return json;
        }
    }
}
