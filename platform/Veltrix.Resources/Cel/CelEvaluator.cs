using System.Diagnostics;
using System.Text.Json;

namespace Veltrix.Resources.Cel;

/// <summary>
/// Tree-walking evaluator. Errors are values (<see cref="Failure"/>) rather than exceptions so that
/// <c>&amp;&amp;</c>/<c>||</c> can absorb them the way CEL does; only the final result is turned into an exception.
/// Values are null, bool, string, double (JSON numbers), long (counters) or a JSON object/array <see cref="JsonElement"/>.
/// </summary>
internal sealed class CelEvaluator
{
    private readonly string _text;
    private readonly JsonElement _event;
    private readonly IReadOnlyDictionary<string, long>? _counters;

    private CelEvaluator(string text, JsonElement @event, IReadOnlyDictionary<string, long>? counters)
    {
        _text = text;
        _event = @event;
        _counters = counters;
    }

    public static bool Evaluate(CelNode root, string text, JsonElement @event) =>
        Finish(new CelEvaluator(text, @event, counters: null).Eval(root), text);

    public static bool Evaluate(CelNode root, string text, IReadOnlyDictionary<string, long> counters) =>
        Finish(new CelEvaluator(text, default, counters).Eval(root), text);

    private static bool Finish(object? result, string text) => result switch
    {
        bool value => value,
        Failure failure => throw new CelEvaluationException($"{failure.Message} (column {failure.Column})", failure.Column),
        // The parser only accepts condition nodes at the top, so anything else is a bug here, not in the rule.
        _ => throw new UnreachableException($"expression `{text}` produced a non-boolean value"),
    };

    private object? Eval(CelNode node) => node switch
    {
        LiteralNode literal => literal.Value,
        PathNode path => Read(path),
        VariableNode variable => _counters!.TryGetValue(variable.Name, out var count)
            ? count
            : new Failure($"no value supplied for counter '{variable.Name}'", variable.Column),
        HasNode has => Has(has),
        NotNode not => Eval(not.Operand) switch
        {
            bool value => !value,
            var other => other, // a Failure; the parser guarantees the operand is a condition
        },
        LogicalNode logical => Logical(logical),
        CompareNode compare => Compare(compare),
        _ => throw new UnreachableException(node.GetType().Name),
    };

    /// <summary>
    /// CEL's commutative logic: a decisive operand (false for &amp;&amp;, true for ||) wins over an error on either side;
    /// otherwise the first error propagates. The right side is skipped when the left is already decisive.
    /// </summary>
    private object? Logical(LogicalNode node)
    {
        var decisive = !node.IsAnd;
        var left = Eval(node.Left);
        if (left is bool l && l == decisive)
        {
            return decisive;
        }

        var right = Eval(node.Right);
        if (right is bool r && r == decisive)
        {
            return decisive;
        }

        return left is Failure ? left : right is Failure ? right : !decisive;
    }

    private object? Compare(CompareNode node)
    {
        var left = Eval(node.Left);
        if (left is Failure)
        {
            return left;
        }

        var right = Eval(node.Right);
        if (right is Failure)
        {
            return right;
        }

        if (node.Operator is CompareOperator.Equal or CompareOperator.NotEqual)
        {
            var equal = AreEqual(left, right, node);
            return equal is bool value ? value == (node.Operator == CompareOperator.Equal) : equal;
        }

        // Ordering exists only in the trip dialect, where the parser admits nothing but integers.
        var (a, b) = ((long)left!, (long)right!);
        return node.Operator switch
        {
            CompareOperator.Less => a < b,
            CompareOperator.LessOrEqual => a <= b,
            CompareOperator.Greater => a > b,
            _ => a >= b,
        };
    }

    private static object AreEqual(object? left, object? right, CompareNode node)
    {
        var symbol = node.Operator == CompareOperator.Equal ? "==" : "!=";

        // Comparing with null is always defined; every other pairing must be of one kind.
        if (left is null || right is null)
        {
            return left is null && right is null;
        }

        if (left is JsonElement || right is JsonElement)
        {
            return new Failure(
                $"cannot compare a JSON {KindOf(left is JsonElement ? left : right)} with '{symbol}'; compare one of its fields instead",
                node.Column);
        }

        return (left, right) switch
        {
            (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
            (double a, double b) => a == b,
            (bool a, bool b) => a == b,
            (long a, long b) => a == b,
            _ => new Failure(
                $"no such overload: {KindOf(left)} {symbol} {KindOf(right)}; CEL does not convert between types, so compare like with like (e.g. 5 vs \"5\")",
                node.Column),
        };
    }

    private object? Read(PathNode path)
    {
        var found = Walk(path, path.Fields.Count);
        if (found is not JsonElement element)
        {
            return found;
        }

        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.TryGetDouble(out var number) && double.IsFinite(number)
                ? number
                : new Failure($"the number at {Describe(path, path.Fields.Count)} is out of range for a double", path.Column),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null => null,
            _ => element, // object or array: only comparable with null
        };
    }

    private object Has(HasNode has)
    {
        var path = has.Path;
        var found = Walk(path, path.Fields.Count - 1);
        if (found is not JsonElement parent)
        {
            return found;
        }

        if (parent.ValueKind != JsonValueKind.Object)
        {
            return new Failure(
                $"has() needs an object at {Describe(path, path.Fields.Count - 1)}, but it is a JSON {KindOf(parent)}",
                has.Column);
        }

        return parent.TryGetProperty(path.Fields[^1], out _);
    }

    /// <summary>Follows the first <paramref name="count"/> fields; a JsonElement, or a Failure naming the missing key as Dapr does.</summary>
    private object Walk(PathNode path, int count)
    {
        var current = _event;
        for (var i = 0; i < count; i++)
        {
            if (current.ValueKind != JsonValueKind.Object)
            {
                return new Failure(
                    $"cannot select field '{path.Fields[i]}': {Describe(path, i)} is a JSON {KindOf(current)}, not an object",
                    path.Column);
            }

            if (!current.TryGetProperty(path.Fields[i], out current))
            {
                var missing = Describe(path, i + 1);
                return new Failure($"no such key: {missing}; guard optional fields with has(event.{missing})", path.Column);
            }
        }

        return current.ValueKind == JsonValueKind.Undefined ? new Failure("the event is undefined", path.Column) : current;
    }

    /// <summary>Dapr names keys relative to event: "data.priority".</summary>
    private static string Describe(PathNode path, int count) =>
        count == 0 ? "event" : string.Join('.', path.Fields.Take(count));

    private static string KindOf(object? value) => value switch
    {
        null => "null",
        bool => "bool",
        string => "string",
        double => "number",
        long => "int",
        JsonElement element => element.ValueKind switch
        {
            JsonValueKind.Object => "object",
            JsonValueKind.Array => "array",
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "bool",
            JsonValueKind.Null => "null",
            _ => "undefined value",
        },
        _ => value.GetType().Name,
    };

    private sealed record Failure(string Message, int Column);
}
