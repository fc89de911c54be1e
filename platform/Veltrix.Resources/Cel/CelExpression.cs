using System.Text.Json;

namespace Veltrix.Resources.Cel;

/// <summary>
/// A parsed expression in the subset of CEL the dev sidecar evaluates exactly. Immutable and thread-safe:
/// parse once at start-up, evaluate per message or per breaker check.
/// </summary>
public sealed class CelExpression
{
    private readonly CelNode _root;

    private CelExpression(string text, CelDialect dialect, CelNode root)
    {
        Text = text;
        Dialect = dialect;
        _root = root;
    }

    /// <summary>The source text; <see cref="CelSyntaxException.Column"/> and evaluation errors refer to it.</summary>
    public string Text { get; }

    public CelDialect Dialect { get; }

    /// <exception cref="CelSyntaxException">Invalid CEL, or CEL outside the dialect's subset.</exception>
    public static CelExpression Parse(string text, CelDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Enum.IsDefined(dialect))
        {
            throw new ArgumentOutOfRangeException(nameof(dialect), dialect, "unknown CEL dialect");
        }

        return new CelExpression(text, dialect, CelParser.Parse(text, dialect));
    }

    /// <summary>Evaluates a routing rule against a decoded CloudEvent, bound to <c>event</c>.</summary>
    /// <exception cref="CelEvaluationException">E.g. a key read without a has() guard is missing, or kinds differ in a comparison.</exception>
    public bool Evaluate(JsonElement @event)
    {
        RequireDialect(CelDialect.Routing);
        return CelEvaluator.Evaluate(_root, Text, @event);
    }

    /// <summary>Evaluates a circuit-breaker trip expression against the breaker's counters.</summary>
    /// <exception cref="CelEvaluationException">A counter the expression reads is not in <paramref name="variables"/>.</exception>
    public bool Evaluate(IReadOnlyDictionary<string, long> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        RequireDialect(CelDialect.CircuitBreakerTrip);
        return CelEvaluator.Evaluate(_root, Text, variables);
    }

    public override string ToString() => Text;

    private void RequireDialect(CelDialect expected)
    {
        if (Dialect != expected)
        {
            throw new InvalidOperationException($"`{Text}` was parsed as {Dialect} but evaluated as {expected}");
        }
    }
}
