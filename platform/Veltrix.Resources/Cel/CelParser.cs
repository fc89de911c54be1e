using System.Globalization;

namespace Veltrix.Resources.Cel;

/// <summary>
/// Recursive-descent parser for the dialect's subset of CEL. Precedence as in CEL:
/// <c>||</c> &lt; <c>&amp;&amp;</c> &lt; relations (non-associative) &lt; unary <c>!</c>/<c>-</c> &lt; member/primary.
/// Anything outside the subset is refused here, so evaluation never meets a construct it cannot do exactly.
/// </summary>
internal sealed class CelParser
{
    // Doubles represent integers exactly only up to 2^53; larger routing literals could compare equal to neighbours.
    private const double MaxExactInteger = 9007199254740992d;

    // Bounds recursion so a pathological rule is a syntax error rather than a stack overflow in the sidecar.
    private const int MaxNesting = 64;

    private readonly CelDialect _dialect;
    private readonly string _help;
    private readonly List<CelToken> _tokens;
    private int _position;
    private int _nesting;

    private CelParser(string text, CelDialect dialect)
    {
        _dialect = dialect;
        _help = CelSubset.Help(dialect);
        _tokens = CelLexer.Tokenize(text, dialect);
    }

    private bool Routing => _dialect == CelDialect.Routing;

    private CelToken Current => _tokens[_position];

    public static CelNode Parse(string text, CelDialect dialect)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new CelSyntaxException("the expression is empty", 1, CelSubset.Help(dialect));
        }

        var parser = new CelParser(text, dialect);
        var root = parser.ParseOr();
        if (parser.Current.Kind != TokenKind.End)
        {
            throw parser.Unexpected(parser.Current, "expected &&, || or the end of the expression");
        }

        parser.RequireCondition(root, parser.Routing ? "a routing rule must evaluate to true or false" : "a trip expression must evaluate to true or false");
        return root;
    }

    private CelToken Advance() => _tokens[_position++];

    private void Enter()
    {
        if (++_nesting > MaxNesting)
        {
            throw new CelSyntaxException($"the expression nests more than {MaxNesting} levels deep", Current.Column, "simplify the expression");
        }
    }

    private CelNode ParseOr()
    {
        Enter();
        var left = ParseAnd();
        while (Current.Kind == TokenKind.OrOr)
        {
            var op = Advance();
            RequireCondition(left, "the operands of '||' must be conditions");
            var right = ParseAnd();
            RequireCondition(right, "the operands of '||' must be conditions");
            left = new LogicalNode(IsAnd: false, left, right, op.Column);
        }

        _nesting--;
        return left;
    }

    private CelNode ParseAnd()
    {
        var left = ParseRelation();
        while (Current.Kind == TokenKind.AndAnd)
        {
            var op = Advance();
            RequireCondition(left, "the operands of '&&' must be conditions");
            var right = ParseRelation();
            RequireCondition(right, "the operands of '&&' must be conditions");
            left = new LogicalNode(IsAnd: true, left, right, op.Column);
        }

        return left;
    }

    private CelNode ParseRelation()
    {
        var left = ParseUnary();
        if (RelationOperator(Current.Kind) is not { } relation)
        {
            return left;
        }

        var op = Advance();
        if (Routing && relation is not (CompareOperator.Equal or CompareOperator.NotEqual))
        {
            throw Refuse(op, $"the relational operator '{op.Text}'");
        }

        var right = ParseUnary();
        if (RelationOperator(Current.Kind) is not null)
        {
            // CEL's relations are non-associative: a == b == c does not parse.
            throw new CelSyntaxException(
                $"comparisons cannot be chained ('{Current.Text}' after '{op.Text}')",
                Current.Column,
                "combine comparisons with && or ||, or parenthesise one of them");
        }

        if (!Routing)
        {
            RequireInteger(left, op);
            RequireInteger(right, op);
        }

        return new CompareNode(relation, left, right, op.Column);
    }

    private CelNode ParseUnary()
    {
        var token = Current;
        if (token.Kind == TokenKind.Bang)
        {
            if (Routing)
            {
                throw Refuse(token, "logical not ('!')");
            }

            Advance();
            Enter(); // '!' recurses without going through ParseOr
            var operand = ParseUnary();
            _nesting--;
            RequireCondition(operand, "'!' applies to conditions");
            return new NotNode(operand, token.Column);
        }

        if (token.Kind == TokenKind.Minus)
        {
            Advance();
            if (Current.Kind != TokenKind.Number)
            {
                throw Refuse(token, "negation ('-') of anything but a number literal");
            }

            return ParsePostfix(NumberLiteral(Advance(), negative: true, token.Column));
        }

        return ParsePostfix(ParsePrimary());
    }

    private CelNode ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Identifier:
                return ParseIdentifier();
            case TokenKind.Number:
                Advance();
                return NumberLiteral(token, negative: false, token.Column);
            case TokenKind.String when Routing:
                Advance();
                return new LiteralNode(token.Value, token.Text, token.Column);
            case TokenKind.True or TokenKind.False when Routing:
                Advance();
                return new LiteralNode(token.Kind == TokenKind.True, token.Text, token.Column);
            case TokenKind.Null when Routing:
                Advance();
                return new LiteralNode(null, token.Text, token.Column);
            case TokenKind.String:
                throw Refuse(token, "a string literal");
            case TokenKind.True or TokenKind.False or TokenKind.Null:
                throw Refuse(token, $"the literal '{token.Text}'");
            case TokenKind.LeftParen:
                Advance();
                var inner = ParseOr();
                Expect(TokenKind.RightParen, $"expected ')' to close the '(' at column {token.Column}");
                return inner;
            case TokenKind.Other when token.Text == "[":
                throw Refuse(token, "a list literal ('[...]')");
            case TokenKind.Other when token.Text == "{":
                throw Refuse(token, "a map literal ('{...}')");
            default:
                throw Unexpected(token, Routing
                    ? "expected event.<path>, a literal, has(...) or '('"
                    : "expected a counter, an integer, '!' or '('");
        }
    }

    private CelNode ParseIdentifier()
    {
        var name = Advance();
        if (Current.Kind == TokenKind.LeftParen)
        {
            if (Routing && name.Text == "has")
            {
                return ParsePostfix(ParseHas(name));
            }

            throw Refuse(name, $"the function '{name.Text}()'");
        }

        if (Routing)
        {
            if (name.Text != "event")
            {
                throw new CelSyntaxException(
                    $"the identifier '{name.Text}' is not supported {CelSubset.Where(_dialect)}; only 'event' is defined",
                    name.Column,
                    _help);
            }

            return new PathNode([], name.Column);
        }

        if (!CelSubset.TripCounters.Contains(name.Text))
        {
            throw new CelSyntaxException(
                $"unknown variable '{name.Text}' {CelSubset.Where(_dialect)}",
                name.Column,
                "the available counters are " + string.Join(", ", CelSubset.TripCounters));
        }

        return new VariableNode(name.Text, name.Column);
    }

    private HasNode ParseHas(CelToken has)
    {
        Advance(); // '('
        var argument = Current;
        if (argument.Kind == TokenKind.RightParen)
        {
            throw new CelSyntaxException("has() needs a field path", argument.Column, "write has(event.<path>), e.g. has(event.data.priority)");
        }

        var path = ParseOr();
        if (Current.Kind == TokenKind.Comma)
        {
            throw new CelSyntaxException("has() takes exactly one argument", Current.Column, "write has(event.<path>), e.g. has(event.data.priority)");
        }

        Expect(TokenKind.RightParen, $"expected ')' to close has( at column {has.Column}");
        if (path is not PathNode { Fields.Count: > 0 } fieldPath)
        {
            // CEL's has() macro only accepts a field selection; it tests the last field on the object the rest denotes.
            throw new CelSyntaxException(
                "has() takes a field path under event",
                argument.Column,
                "write has(event.<path>) with at least one field after event, e.g. has(event.data.priority)");
        }

        return new HasNode(fieldPath, has.Column);
    }

    private CelNode ParsePostfix(CelNode node)
    {
        while (true)
        {
            var token = Current;
            if (token.Kind == TokenKind.Dot)
            {
                if (!Routing)
                {
                    throw Refuse(token, "field selection ('.')");
                }

                Advance();
                var field = Current;
                if (field.Kind != TokenKind.Identifier)
                {
                    throw Unexpected(field, "expected a field name after '.'");
                }

                Advance();
                if (Current.Kind == TokenKind.LeftParen)
                {
                    throw Refuse(field, $"the method '{field.Text}()'");
                }

                if (node is not PathNode path)
                {
                    throw Refuse(token, "field selection on anything but event");
                }

                node = path with { Fields = [.. path.Fields, field.Text] };
            }
            else if (token.Kind == TokenKind.Other && token.Text == "[")
            {
                throw Refuse(token, "indexing ('[...]')");
            }
            else if (token.Kind == TokenKind.LeftParen)
            {
                throw Refuse(token, "calling a value as a function");
            }
            else
            {
                return node;
            }
        }
    }

    private LiteralNode NumberLiteral(CelToken token, bool negative, int column)
    {
        var source = negative ? "-" + token.Text : token.Text;
        var isInteger = !token.Text.Contains('.', StringComparison.Ordinal) && !token.Text.Contains('e', StringComparison.OrdinalIgnoreCase);
        if (!Routing)
        {
            if (!isInteger)
            {
                throw new CelSyntaxException(
                    $"the decimal literal '{source}' is not supported {CelSubset.Where(_dialect)}",
                    column,
                    "the counters are integers; compare them with integer literals such as 5");
            }

            if (!long.TryParse(source, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            {
                throw new CelSyntaxException($"the integer literal '{source}' is out of range", column, "use a value that fits in a 64-bit integer");
            }

            return new LiteralNode(integer, source, column);
        }

        var value = double.Parse(source, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (!double.IsFinite(value) || (isInteger && Math.Abs(value) > MaxExactInteger))
        {
            throw new CelSyntaxException(
                $"the number literal '{source}' cannot be compared exactly",
                column,
                "JSON numbers compare as doubles; use a literal within ±2^53 (integers) or the double range");
        }

        return new LiteralNode(value, source, column);
    }

    private void Expect(TokenKind kind, string expected)
    {
        if (Current.Kind != kind)
        {
            throw Unexpected(Current, expected);
        }

        Advance();
    }

    private void RequireCondition(CelNode node, string context)
    {
        var isCondition = node is CompareNode or LogicalNode or NotNode or HasNode or LiteralNode { Value: bool };
        if (isCondition)
        {
            return;
        }

        var source = Source(node);
        throw new CelSyntaxException(
            $"{context}, but '{source}' is a value",
            node.Column,
            node switch
            {
                PathNode => $"compare it explicitly, e.g. {source} == \"...\", or test presence with has({source})",
                VariableNode => $"compare the counter, e.g. {source} > 5; negate a comparison as !({source} > 5)",
                _ => "use a comparison such as == or !=",
            });
    }

    private void RequireInteger(CelNode node, CelToken op)
    {
        if (node is VariableNode or LiteralNode { Value: long })
        {
            return;
        }

        // Only compound conditions reach here; they start before their own column, so point at the comparison.
        throw new CelSyntaxException(
            $"'{op.Text}' compares counters and integer literals, not conditions",
            op.Column,
            "compare a counter with an integer, e.g. consecutiveFailures > 5, and combine comparisons with && or ||");
    }

    private static string Source(CelNode node) => node switch
    {
        PathNode path => path.Source,
        VariableNode variable => variable.Name,
        LiteralNode literal => literal.Source,
        _ => "expression",
    };

    private static CompareOperator? RelationOperator(TokenKind kind) => kind switch
    {
        TokenKind.EqualEqual => CompareOperator.Equal,
        TokenKind.NotEqual => CompareOperator.NotEqual,
        TokenKind.Less => CompareOperator.Less,
        TokenKind.LessEqual => CompareOperator.LessOrEqual,
        TokenKind.Greater => CompareOperator.Greater,
        TokenKind.GreaterEqual => CompareOperator.GreaterOrEqual,
        _ => null,
    };

    private CelSyntaxException Refuse(CelToken token, string construct) =>
        new($"{construct} is not supported {CelSubset.Where(_dialect)}", token.Column, _help);

    /// <summary>Describes a token found where something else was expected, naming known-but-unsupported CEL constructs.</summary>
    private CelSyntaxException Unexpected(CelToken token, string expected) => token switch
    {
        { Kind: TokenKind.In } => Refuse(token, "the 'in' operator"),
        { Kind: TokenKind.Minus } => Refuse(token, "arithmetic ('-')"),
        { Kind: TokenKind.Other, Text: "+" or "*" or "/" or "%" } => Refuse(token, $"arithmetic ('{token.Text}')"),
        { Kind: TokenKind.Other, Text: "[" } => Refuse(token, "indexing ('[...]')"),
        { Kind: TokenKind.Other, Text: "?" } => Refuse(token, "the conditional operator ('? :')"),
        { Kind: TokenKind.End } => new CelSyntaxException($"unexpected end of expression; {expected}", token.Column, _help),
        _ => new CelSyntaxException($"unexpected '{token.Text}'; {expected}", token.Column, _help),
    };
}
