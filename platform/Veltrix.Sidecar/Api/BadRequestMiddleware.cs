namespace Veltrix.Sidecar.Api;

/// <summary>Turns Kestrel's refusals (oversized body, broken request) into Dapr-style JSON errors instead of a bare status.</summary>
public sealed class BadRequestMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            var message = e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? $"the request body is larger than the limit of {context.MaxBody()} bytes (the sidecar's --max-body-size)"
                : e.Message;
            await DaprErrors.Legacy(e.StatusCode, "ERR_MALFORMED_REQUEST", message).ExecuteAsync(context);
        }
    }
}
