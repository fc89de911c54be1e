using System.Text;

namespace Veltrix.Resources.Cel;

internal enum TokenKind
{
    Identifier,
    String,
    Number,
    True,
    False,
    Null,
    In,
    LeftParen,
    RightParen,
    Dot,
    Comma,
    EqualEqual,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    AndAnd,
    OrOr,
    Bang,
    Minus,

    /// <summary>Valid CEL punctuation no dialect supports (+ * / % [ ] { } ? :); the parser names the construct when refusing it.</summary>
    Other,
    End,
}

/// <summary>A token; <paramref name="Column"/> is 1-based, <paramref name="Value"/> is the decoded text of a string literal.</summary>
internal readonly record struct CelToken(TokenKind Kind, string Text, int Column, string? Value = null);

/// <summary>Splits CEL source into tokens. Lexes the whole of CEL's punctuation so unsupported constructs get a precise refusal.</summary>
internal static class CelLexer
{
    public static List<CelToken> Tokenize(string text, CelDialect dialect)
    {
        var help = CelSubset.Help(dialect);
        var tokens = new List<CelToken>();
        var i = 0;
        while (true)
        {
            i = SkipTrivia(text, i);
            if (i >= text.Length)
            {
                tokens.Add(new CelToken(TokenKind.End, "end of expression", text.Length + 1));
                return tokens;
            }

            var start = i;
            var c = text[i];
            if (IsIdentifierStart(c))
            {
                while (i < text.Length && IsIdentifierPart(text[i]))
                {
                    i++;
                }

                var word = text[start..i];
                if (i < text.Length && text[i] is '"' or '\'' && word.ToUpperInvariant() is "R" or "B" or "RB" or "BR")
                {
                    throw new CelSyntaxException($"raw and bytes string literals ({word}\"...\") are not supported", start + 1, help);
                }

                var kind = word switch
                {
                    "true" => TokenKind.True,
                    "false" => TokenKind.False,
                    "null" => TokenKind.Null,
                    "in" => TokenKind.In,
                    _ => TokenKind.Identifier,
                };
                tokens.Add(new CelToken(kind, word, start + 1));
            }
            else if (char.IsAsciiDigit(c))
            {
                i = ScanNumber(text, i, help);
                tokens.Add(new CelToken(TokenKind.Number, text[start..i], start + 1));
            }
            else if (c is '"' or '\'')
            {
                var (value, end) = ScanString(text, i, help);
                i = end;
                tokens.Add(new CelToken(TokenKind.String, text[start..i], start + 1, value));
            }
            else
            {
                var (kind, length) = ScanOperator(text, i, help);
                i += length;
                tokens.Add(new CelToken(kind, text.Substring(start, length), start + 1));
            }
        }
    }

    private static int SkipTrivia(string text, int i)
    {
        while (i < text.Length)
        {
            if (text[i] is ' ' or '\t' or '\r' or '\n' or '\f')
            {
                i++;
            }
            else if (text[i] == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                // CEL line comment: harmless to honour, and multi-line YAML rules may carry them.
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else
            {
                break;
            }
        }

        return i;
    }

    private static int ScanNumber(string text, int i, string help)
    {
        var start = i;
        i = SkipDigits(text, i);
        if (i + 1 < text.Length && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
        {
            i = SkipDigits(text, i + 1);
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            var j = i + 1;
            if (j < text.Length && text[j] is '+' or '-')
            {
                j++;
            }

            if (j < text.Length && char.IsAsciiDigit(text[j]))
            {
                i = SkipDigits(text, j);
            }
        }

        if (i < text.Length && IsIdentifierPart(text[i]))
        {
            // 0x1F, 5u, 1e: hex and unsigned literals are CEL, but not part of this subset.
            var end = i;
            while (end < text.Length && IsIdentifierPart(text[end]))
            {
                end++;
            }

            throw new CelSyntaxException(
                $"the number literal '{text[start..end]}' is not supported (hex, unsigned and suffixed literals are not available)",
                start + 1,
                "write plain decimal numbers such as 42 or 2.5; " + help);
        }

        return i;
    }

    private static int SkipDigits(string text, int i)
    {
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        return i;
    }

    private static (string Value, int End) ScanString(string text, int start, string help)
    {
        var quote = text[start];
        if (start + 2 < text.Length && text[start + 1] == quote && text[start + 2] == quote)
        {
            throw new CelSyntaxException("triple-quoted string literals are not supported", start + 1, help);
        }

        var value = new StringBuilder();
        var i = start + 1;
        while (i < text.Length && text[i] != quote)
        {
            var c = text[i];
            if (c is '\n' or '\r')
            {
                break; // CEL single-line strings cannot span lines; report as unterminated.
            }

            if (c != '\\')
            {
                value.Append(c);
                i++;
                continue;
            }

            if (i + 1 >= text.Length)
            {
                break;
            }

            value.Append(text[i + 1] switch
            {
                '"' => '"',
                '\'' => '\'',
                '\\' => '\\',
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                _ => throw new CelSyntaxException(
                    $"the escape sequence '\\{text[i + 1]}' is not supported",
                    i + 1,
                    "supported escapes are \\\" \\' \\\\ \\n \\r and \\t; " + help),
            });
            i += 2;
        }

        if (i >= text.Length || text[i] != quote)
        {
            throw new CelSyntaxException(
                "unterminated string literal",
                start + 1,
                $"close the string with {quote} on the same line");
        }

        return (value.ToString(), i + 1);
    }

    private static (TokenKind Kind, int Length) ScanOperator(string text, int i, string help)
    {
        var c = text[i];
        var next = i + 1 < text.Length ? text[i + 1] : '\0';
        return c switch
        {
            '(' => (TokenKind.LeftParen, 1),
            ')' => (TokenKind.RightParen, 1),
            '.' => (TokenKind.Dot, 1),
            ',' => (TokenKind.Comma, 1),
            '-' => (TokenKind.Minus, 1),
            '=' when next == '=' => (TokenKind.EqualEqual, 2),
            '!' when next == '=' => (TokenKind.NotEqual, 2),
            '!' => (TokenKind.Bang, 1),
            '<' when next == '=' => (TokenKind.LessEqual, 2),
            '<' => (TokenKind.Less, 1),
            '>' when next == '=' => (TokenKind.GreaterEqual, 2),
            '>' => (TokenKind.Greater, 1),
            '&' when next == '&' => (TokenKind.AndAnd, 2),
            '|' when next == '|' => (TokenKind.OrOr, 2),
            '+' or '*' or '/' or '%' or '[' or ']' or '{' or '}' or '?' or ':' => (TokenKind.Other, 1),
            '=' => throw new CelSyntaxException("'=' is not an operator", i + 1, "use '==' to compare"),
            '&' => throw new CelSyntaxException("'&' is not an operator", i + 1, "use '&&' for logical and"),
            '|' => throw new CelSyntaxException("'|' is not an operator", i + 1, "use '||' for logical or"),
            _ => throw new CelSyntaxException($"unexpected character '{c}'", i + 1, help),
        };
    }

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsIdentifierPart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
