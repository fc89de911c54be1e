using Veltrix.Control.Apis;
using Veltrix.Events.Publishing;
using Veltrix.Events.Checks;
using Veltrix.Events.Diffing;
using Veltrix.Events.Model;
using Veltrix.Events.Reading;
using Veltrix.Events.Routing;
using Veltrix.Events.Store;
using Veltrix.Events.Subscribing;
using Veltrix.Resources.Diagnostics;

namespace Veltrix.Control.Configurations;

/// <summary>The outcome of an activation or rollback.</summary>
public abstract record Activation
{
    public sealed record Done(ActivePointer Pointer) : Activation;

    public sealed record Unknown(string Detail) : Activation;

    /// <summary>Someone else moved the pointer first (or it is not what the operator expected).</summary>
    public sealed record Conflict(string Detail, ActivePointer? Current) : Activation;

    /// <summary>Consumers of the version are not subscribed to its topics yet.</summary>
    public sealed record NotSubscribed(IReadOnlyList<string> Missing) : Activation;
}

/// <summary>
/// Apply, activate and roll back. Apply runs the same checks as `veltrix check` (as far as the sidecar shows the
/// components) and stores the next version; activate and rollback are one compare-and-swap of the active pointer each,
/// never retried, so of two operators activating at once exactly one wins and the other is told.
/// </summary>
public sealed partial class ConfigurationVersions(ConfigurationStore store, ConfigurationSource source, SidecarCheckContext checks, EventPublisher publisher,
    TimeProvider time, ILogger<ConfigurationVersions> logger)
{
    public async Task<(ApplyResult? Result, IReadOnlyList<Diagnostic> Diagnostics)> ApplyAsync(string file, string yaml, CancellationToken cancellationToken)
    {
        var diagnostics = new List<Diagnostic>();
        var configurations = EventConfigurationReader.ReadText(file, yaml, diagnostics);
        if (configurations.Count != 1 && !diagnostics.Any(d => d.IsError))
            diagnostics.Add(new Diagnostic(EventErrorCodes.NoEventConfiguration, DiagnosticSeverity.Error, SourceLocation.Start(file),
                $"the body holds {configurations.Count} EventConfiguration documents; apply exactly one", "send one file with one 'kind: EventConfiguration' document"));
        if (configurations.Count == 1)
            EventConfigurationChecks.Check(configurations[0], await checks.ReadAsync(cancellationToken), new DiagnosticSink(diagnostics));
        if (diagnostics.Any(d => d.IsError)) return (null, diagnostics);

        var configuration = configurations[0];
        var (stored, created) = await store.AppendAsync(configuration.Name, yaml, configuration.Events.Count, time, cancellationToken);
        if (created) LogApplied(configuration.Name, stored.Version);
        return (new ApplyResult(stored.Name, stored.Version, created, stored.Digest, [.. diagnostics.Select(ToView)]), diagnostics);
    }

    public async Task<IReadOnlyList<ConfigurationSummary>> ListAsync(CancellationToken cancellationToken)
    {
        var (active, _) = await store.GetActiveAsync(cancellationToken);
        var list = new List<ConfigurationSummary>();
        foreach (var name in await store.GetNamesAsync(cancellationToken))
        {
            var (index, _) = await store.GetIndexAsync(name, cancellationToken);
            list.Add(new ConfigurationSummary(name, index?.Latest ?? 0, active?.Name == name ? active.Version : null, index?.Versions ?? []));
        }
        return list;
    }

    public async Task<(EventConfiguration From, EventConfiguration To)?> ReadPairAsync(string name, int from, int to, CancellationToken cancellationToken)
    {
        var a = await store.GetVersionAsync(name, from, cancellationToken);
        var b = await store.GetVersionAsync(name, to, cancellationToken);
        if (a is null || b is null) return null;
        return (ConfigurationSource.Parse($"{name}@{from}", a.Yaml), ConfigurationSource.Parse($"{name}@{to}", b.Yaml));
    }

    /// <summary>Consumers whose subscriptions an activation of <paramref name="to"/> would need that they did not make at start-up.</summary>
    public async Task<IReadOnlyList<string>> MissingSubscriptionsAsync(EventConfiguration to, CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        foreach (var app in to.Events.SelectMany(e => e.Consumers).Select(c => c.App).Distinct())
        {
            var report = await store.GetSubscriptionReportAsync(app, cancellationToken);
            foreach (var definition in to.Events.Where(e => e.Consumers.Any(c => c.App == app)))
            {
                if (report is null) missing.Add($"{app} has not reported its subscriptions (is it running on this store?)");
                else if (!report.HandledTypes.Contains(definition.Type)) missing.Add($"{app} has no handler for '{definition.Type}' (deploy a version of {app} that handles it)");
                else if (!report.Topics.Any(t => t.Type == definition.Type && t.PubSub == definition.PubSub && t.Topic == definition.Topic))
                    missing.Add($"{app} is not subscribed to '{definition.Topic}' on '{definition.PubSub}' for '{definition.Type}' (restart {app} and its sidecar: subscriptions are read at start-up)");
            }
        }
        return missing.Distinct().ToList();
    }

    public async Task<Activation> ActivateAsync(string name, int version, ActivateRequest request, CancellationToken cancellationToken)
    {
        var stored = await store.GetVersionAsync(name, version, cancellationToken);
        if (stored is null) return new Activation.Unknown($"{name}@{version} is not stored; `veltrix config list` shows the versions there are");
        return await MoveAsync(name, version, stored.Yaml, request, cancellationToken);
    }

    public async Task<Activation> RollbackAsync(ActivateRequest request, CancellationToken cancellationToken)
    {
        var (current, _) = await store.GetActiveAsync(cancellationToken);
        if (current?.History.FirstOrDefault() is not { } previous) return new Activation.Unknown("there is no earlier activation to roll back to");
        var stored = await store.GetVersionAsync(previous.Name, previous.Version, cancellationToken);
        if (stored is null) return new Activation.Unknown($"{previous.Name}@{previous.Version} is no longer stored");
        // The expectation defaults to the version rolled back from, so a rollback never undoes an activation it did not see.
        return await MoveAsync(previous.Name, previous.Version, stored.Yaml, request with { ExpectedActive = request.ExpectedActive ?? $"{current.Name}@{current.Version}" }, cancellationToken);
    }

    private async Task<Activation> MoveAsync(string name, int version, string yaml, ActivateRequest request, CancellationToken cancellationToken)
    {
        var (current, etag) = await store.GetActiveAsync(cancellationToken);
        var label = current is null ? null : $"{current.Name}@{current.Version}";
        if (request.ExpectedActive is { } expected && expected != label)
            return new Activation.Conflict($"the active version is {label ?? "none"}, not {expected} as expected; someone activated in between — look (`veltrix config list`) and decide again", current);
        if (current is not null && current.Name == name && current.Version == version) return new Activation.Done(current);

        var configuration = ConfigurationSource.Parse($"{name}@{version}", yaml);
        if (!request.Force && await MissingSubscriptionsAsync(configuration, cancellationToken) is { Count: > 0 } missing) return new Activation.NotSubscribed(missing);

        var next = source.Next(current, name, version);
        if (!await store.TrySetActiveAsync(next, etag, cancellationToken))
        {
            var (now, _) = await store.GetActiveAsync(cancellationToken);
            return new Activation.Conflict($"another activation won the race (now active: {(now is null ? "none" : $"{now.Name}@{now.Version}")}); nothing was changed by this request", now);
        }
        LogActivated(name, version, label ?? "none");
        await AnnounceAsync(configuration, next, cancellationToken);
        return new Activation.Done(next);
    }

    /// <summary>Tells every app at once; apps that miss it find the new version at their next periodic check.</summary>
    private async Task AnnounceAsync(EventConfiguration configuration, ActivePointer pointer, CancellationToken cancellationToken)
    {
        foreach (var (pubsub, error) in await publisher.AnnounceActivationAsync(configuration, new ConfigurationActivated(pointer.Name, pointer.Version), cancellationToken))
            LogAnnounceFailed(pubsub, error);
    }

    public static DiagnosticView ToView(Diagnostic d) =>
        new(d.Code, d.IsError ? "error" : "warning", d.Location.File, d.Location.Line, d.Location.Column, d.Message, d.Help,
            d.Related is { } other ? new PlaceView(other.File, other.Line, other.Column) : null);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Name}@{Version}")]
    private partial void LogApplied(string name, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Activated {Name}@{Version} (was {Previous})")]
    private partial void LogActivated(string name, int version, string previous);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not announce the activation on {PubSub}; apps pick it up at their next check: {Reason}")]
    private partial void LogAnnounceFailed(string pubsub, string reason);
}
