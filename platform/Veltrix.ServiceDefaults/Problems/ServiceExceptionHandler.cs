using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Veltrix.ServiceDefaults;

/// <summary>
/// Turns exceptions that reach the pipeline into problem+json with a VX code. Request errors (unreadable JSON, body too
/// large, wrong media type) say what was wrong with the request; anything else is a 500 whose body names only the trace
/// id — exception messages can carry connection strings or tokens, so they go to the log, never to the client.
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

        var problem = Classify(httpContext, exception);
        if (problem.Status >= 500)
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

    private static Microsoft.AspNetCore.Mvc.ProblemDetails Classify(HttpContext httpContext, Exception exception) => exception switch
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
        _ => Problems.Build(StatusCodes.Status500InternalServerError, ServiceErrorCodes.Internal, "Internal error",
            "The service failed to process the request. The error is logged with the trace id below; retrying may help."),
    };

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected {Method} {Path} with {Status}: {Detail}")]
    private static partial void LogRejected(ILogger logger, string method, PathString path, int status, string? detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Exception after the response to {Method} {Path} had started; the connection is aborted")]
    private static partial void LogTooLate(ILogger logger, string method, PathString path, Exception exception);
}
