namespace Veltrix.Resources.Cel;

/// <summary>Which CEL subset an expression is parsed against; each use site accepts only what the dev sidecar evaluates exactly.</summary>
public enum CelDialect
{
    /// <summary>Dapr pub/sub routing rules over the CloudEvent, bound to <c>event</c>.</summary>
    Routing,

    /// <summary>Dapr resiliency circuit-breaker <c>trip</c> expressions over integer counters.</summary>
    CircuitBreakerTrip,
}

/// <summary>Names and help texts shared by the lexer, parser and tests.</summary>
internal static class CelSubset
{
    public static readonly IReadOnlyList<string> TripCounters =
        ["requests", "totalSuccesses", "totalFailures", "consecutiveSuccesses", "consecutiveFailures"];

    public const string RoutingHelp =
        "the dev sidecar supports event.<path>, string/number/true/false/null literals, ==, !=, &&, ||, " +
        "has(event.<path>) and parentheses; use daprd for full CEL";

    public static readonly string TripHelp =
        "trip expressions support the counters " + string.Join(", ", TripCounters) +
        ", integer literals, ==, !=, <, <=, >, >=, &&, ||, ! and parentheses; use daprd for full CEL";

    public static string Help(CelDialect dialect) => dialect == CelDialect.Routing ? RoutingHelp : TripHelp;

    public static string Where(CelDialect dialect) =>
        dialect == CelDialect.Routing ? "in routing rules" : "in circuit-breaker trip expressions";
}
