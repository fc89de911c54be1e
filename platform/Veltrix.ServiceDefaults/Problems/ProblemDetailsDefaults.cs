using Microsoft.AspNetCore.Mvc;

namespace Veltrix.ServiceDefaults;

/// <summary>
/// Runs for every problem+json the framework writes (status-code pages, the exception handler, <see cref="Veltrix.ServiceDefaults.Problems"/>):
/// whichever code path produced the error, the client sees the same members and a VX code.
/// </summary>
internal static class ProblemDetailsDefaults
{
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        problem.Status = status;
        if (!problem.Extensions.TryGetValue(Problems.CodeMember, out var code) || code is not string { Length: > 0 })
        {
            code = ServiceErrorCodes.ForStatus(status);
            problem.Extensions[Problems.CodeMember] = code;
        }
        // The framework's default type points at the RFC section for the status; ours points at the code's documentation.
        if (problem.Type is null || problem.Type.StartsWith("https://tools.ietf.org/", StringComparison.Ordinal))
            problem.Type = ServiceErrorCodes.TypeUri((string)code);
        problem.Instance ??= context.HttpContext.Request.Path.Value;
        // Status-only answers (routing's 404/405, the JSON binder's 415) have no detail; say what was asked so the client
        // does not need the service's log to understand it.
        var request = context.HttpContext.Request;
        problem.Detail ??= status switch
        {
            StatusCodes.Status415UnsupportedMediaType =>
                $"{request.Method} {request.Path} does not read '{request.ContentType ?? "a body without Content-Type"}'; send application/json",
            StatusCodes.Status413PayloadTooLarge => ServiceExceptionHandler.BodyLimitDetail(context.HttpContext),
            StatusCodes.Status404NotFound => $"no endpoint or resource at {context.HttpContext.Request.Method} {context.HttpContext.Request.Path}",
            StatusCodes.Status405MethodNotAllowed => $"{context.HttpContext.Request.Path} does not accept {context.HttpContext.Request.Method}",
            _ => null,
        };
    }
}
