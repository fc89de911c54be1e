using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Spectre.Console;
using Veltrix.Cli.Control;
using Veltrix.Cli.Rendering;
using Veltrix.Events.Checks;
using Veltrix.Resources.Diagnostics;

namespace Veltrix.Cli.Commands;

/// <summary>`veltrix config apply|list|show|diff|activate|rollback`: named, versioned configurations in the control service.</summary>
public static class ConfigCommands
{
    public const string DefaultControlUrl = "http://127.0.0.1:5105";

    public static Command Build(CliContext cli)
    {
        var control = new Option<string>("--control")
        {
            Description = "The control service's URL (default: VELTRIX_CONTROL_URL, else " + DefaultControlUrl + ").",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("VELTRIX_CONTROL_URL") is { Length: > 0 } url ? url : DefaultControlUrl,
            Recursive = true,
        };
        var token = OperatorOptions.Token();
        var format = OperatorOptions.Format();

        var file = new Argument<string>("FILE") { Description = "The EventConfiguration YAML file." };
        var name = new Argument<string>("NAME") { Description = "The configuration name (metadata.name)." };
        var version = new Argument<int>("VERSION") { Description = "The version number." };
        var from = new Argument<int>("FROM") { Description = "The version to compare from." };
        var to = new Argument<int>("TO") { Description = "The version to compare to." };
        var expect = new Option<string?>("--expect") { Description = "Only if this is the active version now (name@version); refused otherwise." };
        var force = new Option<bool>("--force") { Description = "Activate even though consumers are not subscribed to the version's topics (events to them are lost)." };

        var apply = new Command("apply", "Check a configuration and store it as the next version of its name.") { file };
        apply.SetAction((r, ct) => Run(cli, r, control, token, format, async client =>
        {
            var path = r.GetValue(file)!;
            if (!File.Exists(path)) return Fail(cli, EventErrorCodes.CliCannotRun, $"file '{path}' does not exist", "pass the path of an events/*.yaml file", ExitCodes.CouldNotRun);
            var yaml = await File.ReadAllTextAsync(path, ct);
            return await client.PostYamlAsync($"/configurations?file={Uri.EscapeDataString(path)}", yaml, ct);
        }, body => cli.Console.MarkupLineInterpolated($"{(body.GetProperty("created").GetBoolean() ? "stored" : "unchanged:")} [bold]{body.GetProperty("name").GetString()}@{body.GetProperty("version").GetInt32()}[/] (activate it with `veltrix config activate {body.GetProperty("name").GetString()} {body.GetProperty("version").GetInt32()}`)")));

        var list = new Command("list", "List configurations, their versions and which one is active.");
        list.SetAction((r, ct) => Run(cli, r, control, token, format, async client => await client.GetAsync("/configurations", ct), body => ListTable(cli, body)));

        var show = new Command("show", "Print a stored version's YAML.") { name, version };
        show.SetAction((r, ct) => Run(cli, r, control, token, format,
            async client => await client.GetAsync($"/configurations/{Uri.EscapeDataString(r.GetValue(name)!)}/versions/{r.GetValue(version)}", ct),
            body => cli.Output.Write(body.GetProperty("yaml").GetString())));

        var diff = new Command("diff", "Show what changes between two versions, and which consumers must restart first.") { name, from, to };
        diff.SetAction((r, ct) => Run(cli, r, control, token, format,
            async client => await client.GetAsync($"/configurations/{Uri.EscapeDataString(r.GetValue(name)!)}/diff?from={r.GetValue(from)}&to={r.GetValue(to)}", ct),
            body => DiffText(cli, body)));

        var activate = new Command("activate", "Make a version the one every producer routes by (one compare-and-swap).") { name, version, expect, force };
        activate.SetAction((r, ct) => Run(cli, r, control, token, format, async client =>
            {
                // Without --expect, the version active now is the expectation: of two operators activating at once, one is refused.
                var expected = r.GetValue(expect) ?? await ActiveLabelAsync(client, ct);
                return await client.PostJsonAsync($"/configurations/{Uri.EscapeDataString(r.GetValue(name)!)}/versions/{r.GetValue(version)}/activate", Body(expected, r.GetValue(force)), ct);
            },
            body => Activated(cli, body)));

        var rollback = new Command("rollback", "Activate the version that was active before the current one.") { expect, force };
        rollback.SetAction((r, ct) => Run(cli, r, control, token, format,
            async client => await client.PostJsonAsync("/configurations/rollback", Body(r.GetValue(expect), r.GetValue(force)), ct),
            body => Activated(cli, body)));

        return new Command("config", "Named, versioned event configurations in the control service.") { control, token, format, apply, list, show, diff, activate, rollback };
    }

    private static async Task<string?> ActiveLabelAsync(ControlClient client, CancellationToken cancellationToken)
    {
        var active = await client.GetAsync("/configurations/active", cancellationToken);
        return active.IsSuccess ? $"{active.Body.GetProperty("name").GetString()}@{active.Body.GetProperty("version").GetInt32()}" : null;
    }

    private static string Body(string? expect, bool force) =>
        JsonSerializer.Serialize(new Dictionary<string, object?> { ["expectedActive"] = expect, ["force"] = force });

    private static async Task<int> Run(CliContext cli, ParseResult result, Option<string> control, Option<string?> token, Option<string> format,
        Func<ControlClient, Task<object>> call, Action<JsonElement> print)
    {
        if (!Uri.TryCreate(result.GetValue(control), UriKind.Absolute, out var baseAddress))
            return Fail(cli, EventErrorCodes.CliCannotRun, $"--control '{result.GetValue(control)}' is not a URL", $"write it like {DefaultControlUrl}", ExitCodes.CouldNotRun);
        var client = ControlClient.Create(baseAddress, result.GetValue(token), cli.ControlHandler);
        object outcome;
        try
        {
            outcome = await call(client);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return Fail(cli, EventErrorCodes.ControlUnreachable, $"the control service at {baseAddress} did not answer: {e.Message}",
                "start the system (`dotnet run --project AppHost`), or point --control / VELTRIX_CONTROL_URL at the control service", ExitCodes.CouldNotRun);
        }
        if (outcome is int exit) return exit;
        return OperatorOptions.Show(cli, result.GetValue(format)!, (ControlResponse)outcome, print);
    }

    internal static int Problem(CliContext cli, ControlResponse response)
    {
        var body = response.Body;
        var code = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("code", out var c) ? c.GetString() : null;
        var detail = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("detail", out var d) ? d.GetString() : body.ToString();
        if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("diagnostics", out var diagnostics))
        {
            var list = diagnostics.EnumerateArray().Select(x => new Diagnostic(x.GetProperty("code").GetString()!,
                x.GetProperty("severity").GetString() == "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
                new SourceLocation(x.GetProperty("file").GetString()!, x.GetProperty("line").GetInt32(), x.GetProperty("column").GetInt32()),
                x.GetProperty("message").GetString()!, x.GetProperty("help").GetString()!,
                x.TryGetProperty("related", out var related) && related.ValueKind == JsonValueKind.Object
                    ? new SourceLocation(related.GetProperty("file").GetString()!, related.GetProperty("line").GetInt32(), related.GetProperty("column").GetInt32())
                    : null)).ToList();
            cli.Error.WriteLine(DiagnosticRenderer.Text(list, Directory.GetCurrentDirectory()));
        }
        var help = response.Status == HttpStatusCode.Unauthorized || response.Status == HttpStatusCode.Forbidden
            ? "pass --token or set VELTRIX_OPERATOR_TOKEN (AppHost prints the token at start-up)"
            : "see docs/errors.md for the code";
        cli.Error.WriteLine($"error[{code ?? ((int)response.Status).ToString(CultureInfo.InvariantCulture)}]: {detail}\n  = help: {help}");
        return ExitCodes.Problems;
    }

    internal static int Fail(CliContext cli, string code, string message, string help, int exit)
    {
        cli.Error.WriteLine($"error[{code}]: {message}\n  = help: {help}");
        return exit;
    }

    private static void ListTable(CliContext cli, JsonElement body)
    {
        var table = new Table().AddColumns("name", "version", "applied", "event types", "active");
        foreach (var configuration in body.EnumerateArray())
        {
            var active = configuration.TryGetProperty("active", out var a) && a.ValueKind == JsonValueKind.Number ? a.GetInt32() : (int?)null;
            foreach (var v in configuration.GetProperty("versions").EnumerateArray())
            {
                var number = v.GetProperty("version").GetInt32();
                table.AddRow(Markup.Escape(configuration.GetProperty("name").GetString()!), number.ToString(CultureInfo.InvariantCulture),
                    v.GetProperty("appliedAt").GetDateTimeOffset().ToString("u", CultureInfo.InvariantCulture),
                    v.GetProperty("eventTypes").GetInt32().ToString(CultureInfo.InvariantCulture), number == active ? "*" : "");
            }
        }
        cli.Console.Write(table);
    }

    private static void DiffText(CliContext cli, JsonElement body)
    {
        var diff = body.GetProperty("diff");
        cli.Output.WriteLine($"{body.GetProperty("name").GetString()}@{body.GetProperty("from").GetInt32()} → @{body.GetProperty("to").GetInt32()}");
        foreach (var type in diff.GetProperty("added").EnumerateArray()) cli.Output.WriteLine($"  + {type.GetString()}");
        foreach (var type in diff.GetProperty("removed").EnumerateArray()) cli.Output.WriteLine($"  - {type.GetString()}");
        foreach (var changed in diff.GetProperty("changed").EnumerateArray())
        {
            cli.Output.WriteLine($"  ~ {changed.GetProperty("type").GetString()}");
            foreach (var change in changed.GetProperty("changes").EnumerateArray()) cli.Output.WriteLine($"      {change.GetString()}");
        }
        if (diff.GetProperty("isEmpty").GetBoolean()) cli.Output.WriteLine("  (no changes)");
        foreach (var missing in body.GetProperty("needsRestart").EnumerateArray()) cli.Output.WriteLine($"  before activating: {missing.GetString()}");
    }

    private static void Activated(CliContext cli, JsonElement body) =>
        cli.Console.MarkupLineInterpolated($"active: [bold]{body.GetProperty("name").GetString()}@{body.GetProperty("version").GetInt32()}[/]");
}
