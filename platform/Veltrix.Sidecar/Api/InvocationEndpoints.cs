using Veltrix.Sidecar.Hosting;
using Veltrix.Sidecar.Resiliency;
using Veltrix.Sidecar.Runtime;

namespace Veltrix.Sidecar.Api;

/// <summary>
/// Service invocation over HTTP, `/v1.0/invoke/{appId}/method/{**path}` with any method, between the apps this
/// process serves (there is no name resolution beyond them). The request goes to the target app as it came —
/// method, path, query, body, headers — minus hop-by-hop headers and the caller's `dapr-api-token`, plus the
/// target's app token and daprd's caller/callee headers; the app's status, headers and body come back unchanged.
/// Retries, timeouts and circuit breakers come from Dapr's default app policy names (<see cref="PolicyResolver.AppCall"/>);
/// a connection failure or a 5xx answer is retriable. Named `targets.apps` entries are not applied (the resources
/// model has no app targets).
/// </summary>
public static class InvocationEndpoints
{
    // RFC 9110 §7.6.1 connection-specific headers, plus Host (the target's own) and the caller's sidecar token.
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host",
        "dapr-api-token",
    };

    public static IEndpointRouteBuilder MapInvocationApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.Map("/v1.0/invoke/{appId}/method/{**path}", InvokeAsync);
        return endpoints;
    }

    private static async Task InvokeAsync(HttpContext context, SidecarRuntime runtime, SidecarOptions options, IHttpClientFactory clients, PolicyResolver policies,
        string appId, string? path)
    {
        var caller = runtime.For(context);
        if (runtime.Find(appId) is not { } target)
        {
            await Refuse(context, appId, $"app id {appId} is not served by this dev sidecar (it serves {string.Join(", ", runtime.Apps.Select(a => a.AppId))})");
            return;
        }
        if (target.Options.AppPort is not { } port)
        {
            await Refuse(context, appId, $"app {appId} has no app port, so it cannot be invoked");
            return;
        }

        var uri = new Uri($"http://{target.Options.AppChannelAddress}:{port}/{path}{context.Request.QueryString}");
        var body = await context.Request.ReadBodyAsync(context.RequestAborted);
        // Headers the Connection header names are hop-by-hop too (RFC 9110 §7.6.1).
        var connectionScoped = context.Request.Headers.Connection.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var headers = context.Request.Headers.Where(h => !NotForwarded.Contains(h.Key) && !connectionScoped.Contains(h.Key)).ToList();
        var client = clients.CreateClient(nameof(InvocationEndpoints));

        // Each attempt is a fresh request with the buffered body, so a retry sends exactly what the caller sent.
        async Task<Answer> AttemptAsync(CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), uri);
            if (body.Length > 0 || context.Request.ContentType is not null) request.Content = new ByteArrayContent(body);
            foreach (var (name, values) in headers)
                if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values)) request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            if (options.AppApiTokenOf(target.AppId) is { } token) request.Headers.TryAddWithoutValidation("dapr-api-token", token);
            request.Headers.TryAddWithoutValidation("dapr-caller-app-id", caller.AppId);
            request.Headers.TryAddWithoutValidation("dapr-callee-app-id", target.AppId);
            try
            {
                using var response = await client.SendAsync(request, cancellationToken);
                return new Answer((int)response.StatusCode, [.. response.Headers, .. response.Content.Headers], await response.Content.ReadAsByteArrayAsync(cancellationToken), null);
            }
            catch (HttpRequestException e)
            {
                return new Answer(0, [], [], e.Message);
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
            {
                return new Answer(0, [], [], "the call timed out (resiliency timeout policy)");
            }
        }

        var answer = await policies.AppCall(caller.AppId, target.AppId).ExecuteAsync(AttemptAsync,
            a => a.Failure is not null ? AttemptVerdict.Retry(null) : a.Status >= 500 ? AttemptVerdict.Retry(a.Status) : AttemptVerdict.Done,
            () => new Answer(0, [], [], "the circuit breaker for this app is open"), context.RequestAborted);
        if (answer.Failure is not null)
        {
            await Refuse(context, appId, answer.Failure);
            return;
        }
        context.Response.StatusCode = answer.Status;
        foreach (var (name, values) in answer.Headers)
            if (!NotForwarded.Contains(name)) context.Response.Headers[name] = values.ToArray();
        await context.Response.Body.WriteAsync(answer.Body, context.RequestAborted);
    }

    /// <summary>What the target app answered, or why no answer came (Failure set, Status 0).</summary>
    private sealed record Answer(int Status, IReadOnlyList<KeyValuePair<string, IEnumerable<string>>> Headers, byte[] Body, string? Failure);

    /// <summary>daprd's answer when the call cannot reach the target app.</summary>
    private static Task Refuse(HttpContext context, string appId, string reason) =>
        DaprErrors.Legacy(500, "ERR_DIRECT_INVOKE", $"failed to invoke, id: {appId}, err: {reason}").ExecuteAsync(context);
}
