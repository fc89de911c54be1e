using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Veltrix.ServiceDefaults;

/// <summary>
/// Turns exceptions that reach the pipeline into problem+json with a VX code. Request errors (unreadable JSON, body too
/// large, wrong media type) say what was wrong with the request; a failure of the sidecar or what is behind it
/// (<see cref="InfrastructureFailure"/>) is a 503 VX3013 with <c>Retry-After</c>, so clients wait and send the same
/// request again instead of reporting a bug; anything else is a 500 whose body names only the trace id — exception
/// messages can carry connection strings or tokens, so they go to the log, never to the client.
/// </summary>
internal sealed partial class ServiceExceptionHandler(ILogger<ServiceExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.Response.HasStarted)
        {
            LogTooLate(logger, httpContext.Request.Method, httpContext.Request.Path, exception);
            return false;
        }

        var failure = InfrastructureFailure.Classify(exception);
        if (failure is InfrastructureFailureKind.TimedOut && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The caller went away and its cancellation reached the sidecar call (gRPC reports it as Cancelled, which the
            // framework's own check for an aborted request does not recognise): nobody reads an answer; no warning either.
            LogAborted(logger, httpContext.Request.Method, httpContext.Request.Path);
            httpContext.Response.StatusCode = StatusCodes.Status499ClientClosedRequest;
            return true;
        }

        var problem = Classify(httpContext, exception, failure);
        if (problem.Extensions[Problems.CodeMember] is ServiceErrorCodes.DependencyUnavailable)
        {
            problem.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? httpContext.TraceIdentifier;
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds;
            // Warning, not Error: nothing in this service is broken. One line without the stack trace, because during an
            // outage every request lands here; the exception chain's types and gRPC status say which call failed how.
            LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, failure!.Value, Chain(exception));
        }
        else if (problem.Status >= 500)
        {
            // The framework no longer logs exceptions an IExceptionHandler handled (.NET 10): the log line is ours to write.
            problem.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? httpContext.TraceIdentifier;
            LogUnhandled(logger, httpContext.Request.Method, httpContext.Request.Path, exception);
        }
        else
        {
            LogRejected(logger, httpContext.Request.Method, httpContext.Request.Path, problem.Status!.Value, problem.Detail);
        }

        problem.Instance = httpContext.Request.Path.Value;
        httpContext.Response.StatusCode = problem.Status!.Value;
        await TypedResults.Problem(problem).ExecuteAsync(httpContext);
        return true;
    }

    private static Microsoft.AspNetCore.Mvc.ProblemDetails Classify(HttpContext httpContext, Exception exception, InfrastructureFailureKind? failure) => exception switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => Problems.Build(StatusCodes.Status413PayloadTooLarge,
            ServiceErrorCodes.PayloadTooLarge, "Request body too large", BodyLimitDetail(httpContext)),
        BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } bad => Problems.Build(StatusCodes.Status415UnsupportedMediaType,
            ServiceErrorCodes.UnsupportedMediaType, "Unsupported media type",
            $"{bad.Message} Send the body as application/json (got '{httpContext.Request.ContentType ?? "no Content-Type"}')."),
        BadHttpRequestException { StatusCode: StatusCodes.Status400BadRequest } bad => Problems.Build(StatusCodes.Status400BadRequest,
            ServiceErrorCodes.MalformedJson, "Malformed request", Describe(bad)),
        BadHttpRequestException bad => Problems.Build(bad.StatusCode, ServiceErrorCodes.ForStatus(bad.StatusCode), "Bad request", bad.Message),
        JsonException json => Problems.Build(StatusCodes.Status400BadRequest, ServiceErrorCodes.MalformedJson, "Malformed request",
            "The body is not valid JSON: " + json.Message),
        // JsonElement.GetString() and JsonDocument readers throw this, not a JsonException, for a string that is not
        // text (a lone UTF-16 surrogate such as "\ud800"): it is the client's JSON at fault, never the service.
        InvalidOperationException { Source: JsonTextSource } text => Problems.Build(StatusCodes.Status400BadRequest, ServiceErrorCodes.MalformedJson,
            "Malformed request", "The body holds a JSON string that is not valid text (" + text.Message + "). Send strings of valid UTF-16: no lone surrogate escapes such as \\ud800."),
        _ when failure is { } kind => Problems.Build(StatusCodes.Status503ServiceUnavailable, ServiceErrorCodes.DependencyUnavailable,
            "Dependency unavailable", UnavailableDetail(kind)),
        _ => Problems.Build(StatusCodes.Status500InternalServerError, ServiceErrorCodes.Internal, "Internal error",
            "The service failed to process the request. The error is logged with the trace id below; retrying may help."),
    };

    /// <summary>
    /// One second: the time the dev sidecar or daprd needs to start again under AppHost's restart, and the gRPC
    /// channel's first reconnect backoff — a client that comes back sooner mostly meets the same refused connection,
    /// one that waits longer only sees the recovery later.
    /// </summary>
    internal const string RetryAfterSeconds = "1";

    /// <summary>What was unreachable, in words a client can act on; never the exception's text (addresses, connection strings).</summary>
    private static string UnavailableDetail(InfrastructureFailureKind kind) => kind switch
    {
        InfrastructureFailureKind.Unreachable => "The service cannot reach its Dapr sidecar, or the sidecar cannot reach the state store, broker or app behind it.",
        InfrastructureFailureKind.TimedOut => "The service's Dapr sidecar, or the state store, broker or app behind it, did not answer in time.",
        _ => "A component behind the service's Dapr sidecar (state store, broker or invoked app) failed or refused the work for now.",
    } + " Nothing was wrong with the request: send the same request again after Retry-After seconds. If this lasts, the operator checks the sidecar and its components (the service's /readyz, the sidecar's log).";

    /// <summary>The exception chain as types and status codes (<c>DaprException → RpcException(Unavailable)</c>): enough to tell which call failed how, without the messages.</summary>
    private static string Chain(Exception exception)
    {
        var parts = new List<string>();
        for (var e = exception; e is not null && parts.Count < 4; e = e.InnerException)
        {
            parts.Add(e switch
            {
                Grpc.Core.RpcException rpc => $"{nameof(Grpc.Core.RpcException)}({rpc.StatusCode})",
                HttpRequestException { StatusCode: { } status } => $"{nameof(HttpRequestException)}({(int)status})",
                HttpRequestException http => $"{nameof(HttpRequestException)}({http.HttpRequestError})",
                System.Net.Sockets.SocketException socket => $"{nameof(System.Net.Sockets.SocketException)}({socket.SocketErrorCode})",
                _ => e.GetType().Name,
            });
        }
        return string.Join(" → ", parts);
    }

    /// <summary>The <see cref="Exception.Source"/> System.Text.Json gives the errors of its readers about the JSON text itself.</summary>
    private const string JsonTextSource = "System.Text.Json.Rethrowable";

    /// <summary>Binding failures wrap the parser's error, which has the JSON path, line and byte position: the useful part.</summary>
    private static string Describe(BadHttpRequestException exception) =>
        exception.InnerException is JsonException json ? $"{exception.Message} {json.Message}" : exception.Message;

    internal static string BodyLimitDetail(HttpContext httpContext)
    {
        var limit = httpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        return limit is { } bytes
            ? $"The request body exceeds this endpoint's limit of {bytes} bytes (Veltrix:MaxRequestBodyBytes). Send less per request."
            : "The request body exceeds this endpoint's limit (Veltrix:MaxRequestBodyBytes). Send less per request.";
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}; answered 500 VX3000")]
    private static partial void LogUnhandled(ILogger logger, string method, PathString path, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path}: the sidecar or a component behind it is unavailable ({Failure}: {Chain}); answered 503 VX3013")]
    private static partial void LogUnavailable(ILogger logger, string method, PathString path, InfrastructureFailureKind failure, string chain);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Path}: the caller went away while the sidecar call was in progress")]
    private static partial void LogAborted(ILogger logger, string method, PathString path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected {Method} {Path} with {Status}: {Detail}")]
    private static partial void LogRejected(ILogger logger, string method, PathString path, int status, string? detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Exception after the response to {Method} {Path} had started; the connection is aborted")]
    private static partial void LogTooLate(ILogger logger, string method, PathString path, Exception exception);
}
