namespace Veltrix.Resources.Cel;

/// <summary>The expression is not valid CEL, or uses CEL the dev sidecar cannot evaluate exactly.</summary>
public sealed class CelSyntaxException : Exception
{
    internal CelSyntaxException(string problem, int column, string help)
        : base($"{problem} (column {column})")
    {
        Column = column;
        Help = help;
    }

    /// <summary>1-based character position in <see cref="CelExpression.Text"/> (a line break counts as one character).</summary>
    public int Column { get; }

    /// <summary>What to write instead.</summary>
    public string Help { get; }
}

/// <summary>Evaluating a well-formed expression failed, e.g. it read a key the event does not have.</summary>
public sealed class CelEvaluationException : Exception
{
    internal CelEvaluationException(string message, int column)
        : base(message)
    {
        Column = column;
    }

    /// <summary>1-based position in the expression text of the part that failed.</summary>
    public int Column { get; }
}
