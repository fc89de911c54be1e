namespace Veltrix.Resources.Cel;

/// <summary>AST node. <paramref name="Column"/> (1-based) points at the node's start, or at its operator for binary nodes.</summary>
internal abstract record CelNode(int Column);

/// <summary>bool, string, null, double (routing: all JSON numbers compare as doubles) or long (trip counters).</summary>
internal sealed record LiteralNode(object? Value, string Source, int Column) : CelNode(Column);

/// <summary><c>event</c> followed by zero or more field names.</summary>
internal sealed record PathNode(IReadOnlyList<string> Fields, int Column) : CelNode(Column)
{
    public string Source => Fields.Count == 0 ? "event" : "event." + string.Join('.', Fields);
}

/// <summary>A circuit-breaker counter.</summary>
internal sealed record VariableNode(string Name, int Column) : CelNode(Column);

/// <summary><c>has(event.a.b)</c>: is the last field present on the object the prefix denotes.</summary>
internal sealed record HasNode(PathNode Path, int Column) : CelNode(Column);

internal sealed record NotNode(CelNode Operand, int Column) : CelNode(Column);

internal sealed record LogicalNode(bool IsAnd, CelNode Left, CelNode Right, int Column) : CelNode(Column);

internal sealed record CompareNode(CompareOperator Operator, CelNode Left, CelNode Right, int Column) : CelNode(Column);

internal enum CompareOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}
