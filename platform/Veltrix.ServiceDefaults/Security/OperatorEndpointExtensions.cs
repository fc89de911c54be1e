using Veltrix.ServiceDefaults.Security;

// Beside the other endpoint conventions: Program.cs and Apis/ need no extra using.
namespace Microsoft.AspNetCore.Builder;

public static class OperatorEndpointExtensions
{
    /// <summary>Requires the operator token (VELTRIX_OPERATOR_TOKEN as a Bearer token) on the endpoint or group.</summary>
    public static TBuilder RequireOperatorToken<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new OperatorTokenFilter());
}
