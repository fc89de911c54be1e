using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Veltrix.ServiceDefaults;

/// <summary>
/// The one way a Veltrix endpoint answers an error: <c>application/problem+json</c> with <c>type</c>, <c>title</c>,
/// <c>status</c>, <c>detail</c>, <c>instance</c> (the request path) and a stable <c>code</c> (see <see cref="ServiceErrorCodes"/>).
/// </summary>
public static class Problems
{
    /// <summary>The problem+json member carrying the VX code.</summary>
    public const string CodeMember = "code";

    /// <param name="status">The HTTP status (4xx or 5xx).</param>
    /// <param name="code">A <see cref="ServiceErrorCodes"/> value.</param>
    /// <param name="title">A short, fixed summary of the kind of problem.</param>
    /// <param name="detail">What was wrong with this request and how to fix it. Never secrets or exception text.</param>
    /// <param name="extensions">Extra members (e.g. <c>field</c>), written next to the standard ones.</param>
    public static IResult Create(int status, string code, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 400);
        ArgumentException.ThrowIfNullOrEmpty(code);
        return new ProblemResult(Build(status, code, title, detail, extensions));
    }

    /// <summary>
    /// 429 or 503 <see cref="ServiceErrorCodes.Overloaded"/> with a <c>Retry-After</c> header: the service is at a bound
    /// (or a dependency refused the work); the caller should send the same request again after that many seconds.
    /// </summary>
    public static IResult Overloaded(int status, string title, string detail, int retryAfterSeconds = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retryAfterSeconds, 1);
        return new RetryAfterResult(Create(status, ServiceErrorCodes.Overloaded, title, detail), retryAfterSeconds);
    }

    /// <summary>404 <see cref="ServiceErrorCodes.NotFound"/>: the addressed resource does not exist.</summary>
    public static IResult NotFound(string detail) =>
        Create(StatusCodes.Status404NotFound, ServiceErrorCodes.NotFound, "Not found", detail);

    /// <summary>400 <see cref="ServiceErrorCodes.ValidationFailed"/>: a value in the request is not accepted.</summary>
    public static IResult Validation(string detail, IDictionary<string, object?>? extensions = null) =>
        Create(StatusCodes.Status400BadRequest, ServiceErrorCodes.ValidationFailed, "Invalid request", detail, extensions);

    internal static ProblemDetails Build(int status, string code, string title, string? detail, IDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails
        {
            Type = ServiceErrorCodes.TypeUri(code),
            Title = title,
            Status = status,
            Detail = detail,
        };
        if (extensions is not null)
            foreach (var (key, value) in extensions) problem.Extensions[key] = value;
        // Last, so an extension can never overwrite the code clients branch on.
        problem.Extensions[CodeMember] = code;
        return problem;
    }

    /// <summary>
    /// Fills the instance (known only per request) and writes through <see cref="ProblemHttpResult"/>, which uses the
    /// app's <see cref="IProblemDetailsService"/> (and so the same customisation as framework errors) when there is one.
    /// </summary>
    private sealed class ProblemResult(ProblemDetails problem) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult, IValueHttpResult<ProblemDetails>, IValueHttpResult
    {
        public int? StatusCode => problem.Status;
        public string ContentType => "application/problem+json";
        public ProblemDetails Value => problem;
        object IValueHttpResult.Value => problem;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            // A copy per request: the instance differs per request, and results may be cached and reused by handlers.
            var copy = Build(problem.Status!.Value, (string)problem.Extensions[CodeMember]!, problem.Title!, problem.Detail, problem.Extensions);
            copy.Instance = httpContext.Request.Path.Value;
            return TypedResults.Problem(copy).ExecuteAsync(httpContext);
        }
    }

    private sealed class RetryAfterResult(IResult problem, int seconds) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => ((IStatusCodeHttpResult)problem).StatusCode;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return problem.ExecuteAsync(httpContext);
        }
    }
}
