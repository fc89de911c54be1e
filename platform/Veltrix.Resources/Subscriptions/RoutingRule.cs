using Veltrix.Resources.Cel;
using Veltrix.Resources.Diagnostics;

namespace Veltrix.Resources.Subscriptions;

/// <summary>
/// Turns a rule's `match` text into a checked CEL expression. Shared by declarative subscriptions and the
/// programmatic ones an app returns from /dapr/subscribe, so both refuse the same unsupported expressions.
/// </summary>
public static class RoutingRule
{
    public static RouteRule? Parse(string? match, string path, SourceLocation at, string owner, DiagnosticSink sink)
    {
        if (string.IsNullOrWhiteSpace(match)) return new RouteRule(null, path, at); // an empty match acts as a default
        try
        {
            return new RouteRule(CelExpression.Parse(match, CelDialect.Routing), path, at);
        }
        catch (CelSyntaxException e)
        {
            sink.Error(ErrorCodes.UnsupportedRoutingRule, at with { Column = at.Column + Math.Max(0, e.Column - 1) },
                $"routing rule '{match}' of {owner} cannot be used: {e.Message}", e.Help);
            return null;
        }
    }
}
