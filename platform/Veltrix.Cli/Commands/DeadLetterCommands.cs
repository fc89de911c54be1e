using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Veltrix.Cli.Control;
using Veltrix.Cli.Rendering;
using Veltrix.Events.Checks;
using Veltrix.Resources.Diagnostics;
using Veltrix.Resources.RunTemplates;

namespace Veltrix.Cli.Commands;

/// <summary>
/// `veltrix deadletters list|show|replay|purge`: the dead letters an owner app parked, through its operator API
/// (`/veltrix/dead-letters`). <c>--owner</c> is the owner's app id (its port read from dapr.yaml) or its URL.
/// </summary>
public static class DeadLetterCommands
{
    public static Command Build(CliContext cli)
    {
        var owner = new Option<string>("--owner")
        {
            Description = "The dead-letter owner (deadLetter.owner in the event configuration): an app id of dapr.yaml, or the app's URL.",
            Required = true,
            Recursive = true,
        };
        var runFile = new Option<string>("--file") { Description = "dapr.yaml, to find an app id's port.", DefaultValueFactory = _ => "dapr.yaml", Recursive = true };
        var token = OperatorOptions.Token();
        var format = OperatorOptions.Format();

        var optionalType = new Argument<string?>("TYPE") { Description = "The event type; without it, every type the owner holds and how many.", Arity = ArgumentArity.ZeroOrOne };
        var type = new Argument<string>("TYPE") { Description = "The event type." };
        var eventId = new Argument<string>("EVENT-ID") { Description = "The dead letter's CloudEvent id." };
        var eventIds = new Argument<string[]>("EVENT-ID") { Description = "The dead letters' CloudEvent ids (or --all).", Arity = ArgumentArity.ZeroOrMore };
        var limit = new Option<int>("--limit") { Description = "How many to list, newest first (1–1000).", DefaultValueFactory = _ => 100 };
        var all = new Option<bool>("--all") { Description = "Every parked dead letter of the type (replay: up to 1000, oldest first)." };
        var force = new Option<bool>("--force") { Description = "Replay dead letters that were replayed before, too." };
        var rate = new Option<int>("--rate") { Description = "Replayed events per second at most (1–1000).", DefaultValueFactory = _ => 100 };
        var yes = new Option<bool>("--yes") { Description = "Confirm the purge: the dead letters are deleted for good." };

        var list = new Command("list", "List the parked dead letters of a type (cause, time, configuration version), or the types and counts.") { optionalType, limit };
        list.SetAction((r, ct) => Run(cli, r, owner, runFile, token, format, client => r.GetValue(optionalType) is { } t
                ? client.GetAsync($"/veltrix/dead-letters/{Uri.EscapeDataString(t)}?limit={r.GetValue(limit)}", ct)
                : client.GetAsync("/veltrix/dead-letters", ct),
            body => ListTable(cli, body)));

        var show = new Command("show", "Show one parked dead letter with its event data.") { type, eventId };
        show.SetAction((r, ct) => Run(cli, r, owner, runFile, token, format,
            client => client.GetAsync($"/veltrix/dead-letters/{Uri.EscapeDataString(r.GetValue(type)!)}/{Uri.EscapeDataString(r.GetValue(eventId)!)}", ct),
            body => cli.Output.WriteLine(OperatorOptions.Json(body))));

        var replay = new Command("replay", "Publish dead letters again to their type's topic, keeping their event ids, at a bounded rate.") { type, eventIds, all, force, rate };
        replay.SetAction((r, ct) => Run(cli, r, owner, runFile, token, format,
            client => client.PostJsonAsync($"/veltrix/dead-letters/{Uri.EscapeDataString(r.GetValue(type)!)}/replay",
                Selection(r.GetValue(eventIds), r.GetValue(all), r.GetValue(force), r.GetValue(rate)), ct),
            body => Outcome(cli, body, "replayed")));

        var purge = new Command("purge", "Delete parked dead letters for good (asks for --yes).") { type, eventIds, all, yes };
        purge.SetAction((r, ct) =>
        {
            if (!r.GetValue(yes))
                return Task.FromResult(ConfigCommands.Fail(cli, EventErrorCodes.DeadLetterSelectionMissing, "purging deletes the dead letters for good",
                    "add --yes to confirm (list them first with `veltrix deadletters list TYPE --owner …`)", ExitCodes.Problems));
            return Run(cli, r, owner, runFile, token, format,
                client => client.PostJsonAsync($"/veltrix/dead-letters/{Uri.EscapeDataString(r.GetValue(type)!)}/purge",
                    Selection(r.GetValue(eventIds), r.GetValue(all), false, null), ct),
                body => Outcome(cli, body, "purged"));
        });

        return new Command("deadletters", "Dead letters an owner app parked: list, show, replay, purge.") { owner, runFile, token, format, list, show, replay, purge };
    }

    private static string Selection(string[]? ids, bool all, bool force, int? rate) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["eventIds"] = ids is { Length: > 0 } ? ids : null, ["all"] = all, ["force"] = force, ["ratePerSecond"] = rate,
    });

    private static async Task<int> Run(CliContext cli, ParseResult result, Option<string> ownerOption, Option<string> runFile, Option<string?> token,
        Option<string> format, Func<ControlClient, Task<ControlResponse>> call, Action<JsonElement> print)
    {
        var owner = result.GetValue(ownerOption)!;
        Uri? baseAddress;
        if (owner.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(owner, UriKind.Absolute, out baseAddress))
                return ConfigCommands.Fail(cli, EventErrorCodes.CliCannotRun, $"--owner '{owner}' is not a URL", "write it like http://127.0.0.1:5102, or give the app id", ExitCodes.CouldNotRun);
        }
        else
        {
            try
            {
                var app = RunTemplateReader.Read(Path.GetFullPath(result.GetValue(runFile)!)).Apps.FirstOrDefault(a => a.AppId == owner);
                if (app is null)
                    return ConfigCommands.Fail(cli, EventErrorCodes.CliCannotRun, $"dapr.yaml has no app '{owner}'", "give an app id of dapr.yaml, or the owner's URL", ExitCodes.CouldNotRun);
                baseAddress = new Uri($"http://127.0.0.1:{app.AppPort.ToString(CultureInfo.InvariantCulture)}");
            }
            catch (DiagnosticException e)
            {
                cli.Error.WriteLine(DiagnosticRenderer.Text(e.Diagnostics, Directory.GetCurrentDirectory()));
                return ExitCodes.CouldNotRun;
            }
        }
        var client = ControlClient.Create(baseAddress, result.GetValue(token), cli.ControlHandler);
        ControlResponse response;
        try
        {
            response = await call(client);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return ConfigCommands.Fail(cli, EventErrorCodes.OwnerUnreachable, $"the owner at {baseAddress} did not answer: {e.Message}",
                "start the system (`dotnet run --project AppHost`), or pass the owner's URL with --owner", ExitCodes.CouldNotRun);
        }
        return OperatorOptions.Show(cli, result.GetValue(format)!, response, print);
    }

    private static void ListTable(CliContext cli, JsonElement body)
    {
        if (body.ValueKind == JsonValueKind.Array)
        {
            var types = new Table().AddColumns("event type", "parked");
            foreach (var t in body.EnumerateArray())
                types.AddRow(Markup.Escape(t.GetProperty("type").GetString()!), t.GetProperty("parked").GetInt32().ToString(CultureInfo.InvariantCulture));
            cli.Console.Write(types);
            return;
        }
        cli.Output.WriteLine($"{body.GetProperty("type").GetString()}: {body.GetProperty("parked").GetInt32()} parked");
        var table = new Table().AddColumns("event id", "parked at", "version", "cause", "replays");
        foreach (var item in body.GetProperty("items").EnumerateArray())
        {
            var version = item.TryGetProperty("configuration", out var c) && c.ValueKind == JsonValueKind.String
                ? $"{c.GetString()}@{(item.GetProperty("version").ValueKind == JsonValueKind.Number ? item.GetProperty("version").GetInt32() : 0)}" : "";
            table.AddRow(Markup.Escape(item.GetProperty("eventId").GetString()!),
                item.GetProperty("parkedAt").GetDateTimeOffset().ToString("u", CultureInfo.InvariantCulture), Markup.Escape(version),
                Markup.Escape(item.TryGetProperty("cause", out var cause) && cause.ValueKind == JsonValueKind.String ? cause.GetString()! : "(not given)"),
                item.GetProperty("replays").GetInt32().ToString(CultureInfo.InvariantCulture));
        }
        cli.Console.Write(table);
    }

    private static void Outcome(CliContext cli, JsonElement body, string done)
    {
        var ids = body.GetProperty(done).EnumerateArray().Select(e => e.GetString()).ToList();
        cli.Output.WriteLine($"{done} {ids.Count} dead letter(s) of {body.GetProperty("type").GetString()}{(ids.Count > 0 ? ": " + string.Join(", ", ids) : "")}");
        foreach (var group in new[] { "skipped", "failed" })
            if (body.TryGetProperty(group, out var entries))
                foreach (var e in entries.EnumerateArray()) cli.Output.WriteLine($"  {group} {e.GetProperty("eventId").GetString()}: {e.GetProperty("reason").GetString()}");
    }
}
