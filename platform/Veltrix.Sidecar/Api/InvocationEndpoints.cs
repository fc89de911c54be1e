using Veltrix.Sidecar.Hosting;
using Veltrix.Sidecar.Runtime;

namespace Veltrix.Sidecar.Api;

/// <summary>
/// Service invocation over HTTP, `/v1.0/invoke/{appId}/method/{**path}` with any method, between the apps this
/// process serves (there is no name resolution beyond them). The request goes to the target app as it came —
/// method, path, query, body, headers — minus hop-by-hop headers and the caller's `dapr-api-token`, plus the
/// target's app token and daprd's caller/callee headers; the app's status, headers and body come back unchanged.
/// Resiliency app targets are not applied (the resources model has no app targets): one attempt.
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

    private static async Task InvokeAsync(HttpContext context, SidecarRuntime runtime, SidecarOptions options, IHttpClientFactory clients, string appId, string? path)
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
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), uri);
        var body = await context.Request.ReadBodyAsync(context.RequestAborted);
        if (body.Length > 0 || context.Request.ContentType is not null) request.Content = new ByteArrayContent(body);
        // Headers the Connection header names are hop-by-hop too (RFC 9110 §7.6.1).
        var connectionScoped = context.Request.Headers.Connection.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in context.Request.Headers)
        {
            if (NotForwarded.Contains(name) || connectionScoped.Contains(name)) continue;
            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values)) request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }
        if (options.AppApiToken is { } token) request.Headers.TryAddWithoutValidation("dapr-api-token", token);
        request.Headers.TryAddWithoutValidation("dapr-caller-app-id", caller.AppId);
        request.Headers.TryAddWithoutValidation("dapr-callee-app-id", target.AppId);

        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(nameof(InvocationEndpoints)).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            await Refuse(context, appId, e.Message);
            return;
        }
        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
                if (!NotForwarded.Contains(name)) context.Response.Headers[name] = values.ToArray();
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }

    /// <summary>daprd's answer when the call cannot reach the target app.</summary>
    private static Task Refuse(HttpContext context, string appId, string reason) =>
        DaprErrors.Legacy(500, "ERR_DIRECT_INVOKE", $"failed to invoke, id: {appId}, err: {reason}").ExecuteAsync(context);
}
