using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Veltrix.ServiceDefaults;

namespace Veltrix.Sagas;

/// <summary>
/// The management API on the hosting app, shaped like Dapr's workflow API and behind the operator token:
/// <c>POST /sagas/{name}/start?instanceID=</c>, <c>GET /sagas/{instanceID}</c>, <c>POST /sagas/{instanceID}/terminate</c>,
/// <c>/raiseEvent/{event}</c>, <c>/pause</c>, <c>/resume</c>, <c>/purge</c> and <c>GET /sagas?status=&amp;name=</c>.
/// Changes answer 202, like Dapr's.
/// </summary>
public static class SagaApi
{
    public static IEndpointRouteBuilder MapSagaApi(this IEndpointRouteBuilder app)
    {
        var sagas = app.MapGroup("/sagas").RequireOperatorToken();
        sagas.MapPost("/{name}/start", StartAsync);
        sagas.MapGet("/{instanceId}", GetAsync);
        sagas.MapGet("/", ListAsync);
        sagas.MapPost("/{instanceId}/terminate", (string instanceId, SagaClient client, HttpRequest request, CancellationToken ct) =>
            Run(async () => await client.TerminateAsync(instanceId, request.Query["reason"].FirstOrDefault(), ct)));
        sagas.MapPost("/{instanceId}/cancel", (string instanceId, SagaClient client, HttpRequest request, CancellationToken ct) =>
            Run(async () => await client.CancelAsync(instanceId, request.Query["reason"].FirstOrDefault(), ct)));
        sagas.MapPost("/{instanceId}/retryCompensation", (string instanceId, SagaClient client, CancellationToken ct) =>
            Run(() => client.RetryCompensationAsync(instanceId, ct)));
        sagas.MapPost("/{instanceId}/pause", (string instanceId, SagaClient client, CancellationToken ct) => Run(() => client.PauseAsync(instanceId, ct)));
        sagas.MapPost("/{instanceId}/resume", (string instanceId, SagaClient client, CancellationToken ct) => Run(() => client.ResumeAsync(instanceId, ct)));
        sagas.MapPost("/{instanceId}/purge", (string instanceId, SagaClient client, CancellationToken ct) => Run(() => client.PurgeAsync(instanceId, ct)));
        sagas.MapPost("/{instanceId}/raiseEvent/{eventName}", RaiseEventAsync);
        return app;
    }

    private static async Task<IResult> StartAsync(string name, HttpRequest request, SagaClient client, CancellationToken cancellationToken)
    {
        var input = await ReadBodyAsync(request, cancellationToken);
        if (input is null) return Problems.Create(StatusCodes.Status400BadRequest, SagaErrorCodes.InvalidInput, "Invalid saga input", "the body is not JSON; send the saga's input as application/json");
        try
        {
            var started = await client.StartAsync(name, request.Query["instanceID"].FirstOrDefault() ?? request.Query["instanceId"].FirstOrDefault(), input.Value,
                cancellationToken: cancellationToken);
            return Results.Json(started, SagaJson.Default.SagaStartResponse, statusCode: StatusCodes.Status202Accepted);
        }
        catch (SagaRequestException e)
        {
            return Problem(e);
        }
    }

    private static async Task<IResult> GetAsync(string instanceId, SagaClient client, CancellationToken cancellationToken) =>
        await client.GetAsync(instanceId, cancellationToken) is { } status
            ? Results.Json(status, SagaJson.Default.SagaStatusView)
            : Problems.Create(StatusCodes.Status404NotFound, SagaErrorCodes.InstanceNotFound, "Saga instance not found",
                $"no saga instance '{instanceId}' (never started, or purged); GET /sagas lists them");

    private static async Task<IResult> ListAsync(HttpRequest request, SagaClient client, CancellationToken cancellationToken)
    {
        var statuses = new List<SagaStatus>();
        foreach (var text in request.Query["status"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!SagaStatusExtensions.TryParseRuntimeStatus(text, out var status))
                return Problems.Create(StatusCodes.Status400BadRequest, SagaErrorCodes.InvalidQuery, "Invalid saga query",
                    $"status '{text}' is not one of {string.Join(", ", Enum.GetValues<SagaStatus>().Select(s => s.ToRuntimeStatus()))}");
            statuses.Add(status);
        }
        var pageSize = 100;
        if (request.Query["pageSize"].FirstOrDefault() is { } size && !int.TryParse(size, out pageSize))
            return Problems.Create(StatusCodes.Status400BadRequest, SagaErrorCodes.InvalidQuery, "Invalid saga query", $"pageSize '{size}' is not a number");
        try
        {
            var page = await client.ListAsync(statuses, request.Query["name"].FirstOrDefault(), pageSize, request.Query["continuationToken"].FirstOrDefault(), cancellationToken);
            return Results.Json(page, SagaJson.Default.SagaListPage);
        }
        catch (SagaRequestException e)
        {
            return Problem(e);
        }
    }

    private static async Task<IResult> RaiseEventAsync(string instanceId, string eventName, HttpRequest request, SagaClient client, CancellationToken cancellationToken)
    {
        if (await ReadBodyAsync(request, cancellationToken) is not { } payload)
            return Problems.Create(StatusCodes.Status400BadRequest, ServiceErrorCodes.MalformedJson, "Malformed event", "the event payload is not JSON; send it as application/json (or no body)");
        try
        {
            var result = await client.RaiseEventAsync(instanceId, eventName, payload, request.Query["eventId"].FirstOrDefault(), cancellationToken);
            return Results.Json(new SagaEventResponse(result.ToString()), SagaJson.Default.SagaEventResponse, statusCode: StatusCodes.Status202Accepted);
        }
        catch (SagaRequestException e)
        {
            return Problem(e);
        }
    }

    private static async Task<IResult> Run(Func<Task> operation)
    {
        try
        {
            await operation();
            return Results.Accepted();
        }
        catch (SagaRequestException e)
        {
            return Problem(e);
        }
    }

    /// <summary>The body as JSON (an empty body is JSON null); null when it is not JSON.</summary>
    private static async Task<JsonElement?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(text)) text = "null";
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IResult Problem(SagaRequestException e) => Problems.Create(e.Status, e.Code, e.Status switch
    {
        StatusCodes.Status404NotFound => "Not found",
        StatusCodes.Status409Conflict => "Conflict with the instance's state",
        StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable => "Try again",
        _ => "Invalid saga request",
    }, e.Message);
}
