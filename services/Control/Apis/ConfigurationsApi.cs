using Veltrix.Control.Configurations;
using Veltrix.Events.Checks;
using Veltrix.Events.Diffing;
using Veltrix.Events.Store;
using Veltrix.ServiceDefaults;

namespace Veltrix.Control.Apis;

/// <summary>
/// Named, versioned event configurations (operator token on every endpoint):
/// apply (POST YAML) · list · show a version · diff two · the active pointer · activate · roll back.
/// </summary>
public static class ConfigurationsApi
{
    /// <summary>A configuration is a few KB; a megabyte is room for a very large system and stops accidents.</summary>
    public const int MaxYamlBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapConfigurationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/configurations").RequireOperatorToken();
        api.MapPost("", ApplyAsync);
        api.MapGet("", async (ConfigurationVersions versions, CancellationToken ct) => TypedResults.Ok(await versions.ListAsync(ct)));
        api.MapGet("/active", GetActiveAsync);
        api.MapPost("/rollback", RollbackAsync);
        api.MapGet("/{name}/versions/{version:int}", GetVersionAsync);
        api.MapGet("/{name}/diff", DiffAsync);
        api.MapPost("/{name}/versions/{version:int}/activate", ActivateAsync);
        return app;
    }

    /// <summary>The body is the YAML file; `?file=` names it in diagnostics (the CLI sends the path the operator typed).</summary>
    private static async Task<IResult> ApplyAsync(HttpRequest request, ConfigurationVersions versions, string? file, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        var buffer = new char[MaxYamlBytes + 1];
        var length = await reader.ReadBlockAsync(buffer, cancellationToken);
        if (length > MaxYamlBytes)
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, ServiceErrorCodes.PayloadTooLarge, "Configuration too large", $"a configuration may be at most {MaxYamlBytes} bytes");
        var (result, diagnostics) = await versions.ApplyAsync(string.IsNullOrWhiteSpace(file) ? "request" : file, new string(buffer, 0, length), cancellationToken);
        if (result is null)
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, EventErrorCodes.ConfigurationRefused, "Configuration refused",
                $"{diagnostics.Count(d => d.IsError)} error(s); fix them and apply again (`veltrix check` finds them before apply)",
                new Dictionary<string, object?> { ["diagnostics"] = diagnostics.Select(ConfigurationVersions.ToView).ToList() });
        return result.Created ? TypedResults.Created($"/configurations/{result.Name}/versions/{result.Version}", result) : TypedResults.Ok(result);
    }

    private static async Task<IResult> GetActiveAsync(ConfigurationStore store, CancellationToken cancellationToken)
    {
        var (active, _) = await store.GetActiveAsync(cancellationToken);
        return active is null ? Problems.NotFound("no configuration is active yet") : TypedResults.Ok(new ActiveView(active.Name, active.Version, active.ActivatedAt, active.History));
    }

    private static async Task<IResult> GetVersionAsync(string name, int version, ConfigurationStore store, CancellationToken cancellationToken)
    {
        if (Ids.Check("name", name) is { } invalid) return invalid;
        var stored = await store.GetVersionAsync(name, version, cancellationToken);
        if (stored is null) return Unknown($"{name}@{version} is not stored");
        var (active, _) = await store.GetActiveAsync(cancellationToken);
        return TypedResults.Ok(new VersionView(name, version, stored.AppliedAt, stored.Digest, active?.Name == name && active.Version == version, stored.Yaml));
    }

    private static async Task<IResult> DiffAsync(string name, int from, int to, ConfigurationVersions versions, CancellationToken cancellationToken)
    {
        if (Ids.Check("name", name) is { } invalid) return invalid;
        if (await versions.ReadPairAsync(name, from, to, cancellationToken) is not { } pair) return Unknown($"{name}@{from} or {name}@{to} is not stored");
        var diff = ConfigurationDiff.Between(pair.From, pair.To);
        return TypedResults.Ok(new DiffView(name, from, to, diff, await versions.MissingSubscriptionsAsync(pair.To, cancellationToken)));
    }

    private static async Task<IResult> ActivateAsync(string name, int version, HttpRequest request, ConfigurationVersions versions, CancellationToken cancellationToken) =>
        Ids.Check("name", name) ?? Answer(await versions.ActivateAsync(name, version, await ReadRequestAsync(request, cancellationToken), cancellationToken));

    private static async Task<IResult> RollbackAsync(HttpRequest request, ConfigurationVersions versions, CancellationToken cancellationToken) =>
        Answer(await versions.RollbackAsync(await ReadRequestAsync(request, cancellationToken), cancellationToken));

    /// <summary>The body is optional: no body means "no expectation, no force".</summary>
    private static async Task<ActivateRequest> ReadRequestAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is null or 0 && !request.HasJsonContentType()) return new ActivateRequest(null);
        // ReadFromJsonAsync throws a bare InvalidOperationException for another media type; this answers 415 VX3005 instead.
        if (!request.HasJsonContentType())
            throw new BadHttpRequestException("Expected a supported JSON media type.", StatusCodes.Status415UnsupportedMediaType);
        return await request.ReadFromJsonAsync(ControlJson.Default.ActivateRequest, cancellationToken) ?? new ActivateRequest(null);
    }

    private static IResult Answer(Activation activation) => activation switch
    {
        Activation.Done done => TypedResults.Ok(new ActiveView(done.Pointer.Name, done.Pointer.Version, done.Pointer.ActivatedAt, done.Pointer.History)),
        Activation.Unknown unknown => Unknown(unknown.Detail),
        Activation.Conflict conflict => Problems.Create(StatusCodes.Status409Conflict, EventErrorCodes.ActivationConflict, "Activation conflict", conflict.Detail,
            new Dictionary<string, object?> { ["active"] = conflict.Current is null ? null : $"{conflict.Current.Name}@{conflict.Current.Version}" }),
        Activation.NotSubscribed missing => Problems.Create(StatusCodes.Status409Conflict, EventErrorCodes.ConsumersNotSubscribed, "Consumers not subscribed",
            "activating now would route events to topics their consumers do not read: " + string.Join("; ", missing.Missing)
            + ". Restart those apps with their sidecars, then activate again (or pass force to accept the loss)",
            new Dictionary<string, object?> { ["missing"] = missing.Missing }),
        _ => throw new InvalidOperationException(activation.GetType().Name),
    };

    private static IResult Unknown(string detail) => Problems.Create(StatusCodes.Status404NotFound, EventErrorCodes.UnknownVersion, "Unknown configuration version", detail);
}
