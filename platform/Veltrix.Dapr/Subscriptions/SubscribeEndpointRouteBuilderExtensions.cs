using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Veltrix.Dapr;
using Veltrix.Dapr.AspNetCore;
using Veltrix.Dapr.Serialization;
using Veltrix.Dapr.Subscriptions;

namespace Microsoft.AspNetCore.Builder;

public static class SubscribeEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET /dapr/subscribe</c>, answering with every endpoint that carries topic metadata (<see cref="TopicAttribute"/>,
    /// <c>WithTopic</c>). The document is checked when the app starts (two default routes for one topic, conflicting
    /// dead-letter topics, parameterised routes are refused) and the endpoint requires the sidecar's app token.
    /// </summary>
    public static IEndpointConventionBuilder MapSubscribeHandler(this IEndpointRouteBuilder endpoints, SubscribeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        // The live collection: endpoints mapped after this call (the usual order) are still seen.
        var dataSources = endpoints.DataSources;
        IReadOnlyList<SubscriptionJson> Build() =>
            SubscriptionDocumentBuilder.Build(dataSources.SelectMany(source => source.Endpoints), options);

        if (endpoints is IApplicationBuilder app)
        {
            // Middleware factories run while the host builds the pipeline, before Kestrel accepts a connection: the one
            // place an endpoint extension can refuse start-up. Endpoints are all mapped by then.
            app.Use(next =>
            {
                Build();
                return async context =>
                {
                    if (await DaprAppTokenFallback.CheckAsync(context)) await next(context);
                };
            });
        }

        return endpoints.MapGet("/dapr/subscribe", (HttpContext _) => (IResult)new SubscriptionDocumentResult(Build()))
            .WithDisplayName("Dapr subscribe")
            .ExcludeFromDescription()
            .RequireDaprAppToken();
    }

    private sealed class SubscriptionDocumentResult(IReadOnlyList<SubscriptionJson> document) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "application/json";
            return JsonSerializer.SerializeAsync(httpContext.Response.Body, document, DaprJsonContext.Default.IReadOnlyListSubscriptionJson,
                httpContext.RequestAborted);
        }
    }
}
