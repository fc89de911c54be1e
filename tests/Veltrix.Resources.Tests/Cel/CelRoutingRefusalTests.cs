using Veltrix.Resources.Cel;
using Xunit;

namespace Veltrix.Resources.Tests.Cel;

public sealed class CelRoutingRefusalTests
{
    [Theory]
    [InlineData("event.data.n < 5", 14, "relational operator '<'")]
    [InlineData("event.data.n <= 5", 14, "relational operator '<='")]
    [InlineData("event.data.n > 5", 14, "relational operator '>'")]
    [InlineData("event.data.n >= 5", 14, "relational operator '>='")]
    [InlineData("!has(event.data.x)", 1, "logical not ('!')")]
    [InlineData("foo == 1", 1, "identifier 'foo'")]
    [InlineData("event.type == foo", 15, "identifier 'foo'")]
    [InlineData("int(event.data.n) == 1", 1, "function 'int()'")]
    [InlineData("size(event.data.items) == 2", 1, "function 'size()'")]
    [InlineData("event.type.startsWith(\"order\")", 12, "method 'startsWith()'")]
    [InlineData("\"abc\".size() == 3", 7, "method 'size()'")]
    [InlineData("event.data[\"k\"] == 1", 11, "indexing ('[...]')")]
    [InlineData("event.data.n + 1 == 2", 14, "arithmetic ('+')")]
    [InlineData("event.data.n - 1 == 2", 14, "arithmetic ('-')")]
    [InlineData("event.data.n * 2 == 2", 14, "arithmetic ('*')")]
    [InlineData("event.data.n == 4 / 2", 19, "arithmetic ('/')")]
    [InlineData("event.data.n % 2 == 0", 14, "arithmetic ('%')")]
    [InlineData("-event.data.n == 1", 1, "negation ('-')")]
    [InlineData("event.type in [\"a\", \"b\"]", 12, "the 'in' operator")]
    [InlineData("event.type == \"a\" ? true : false", 19, "conditional operator")]
    [InlineData("event.type == [\"a\"]", 15, "a list literal ('[...]')")]
    [InlineData("event.data == {}", 15, "a map literal ('{...}')")]
    [InlineData("(event.type == \"a\").x == 1", 20, "field selection on anything but event")]
    public void Refuses_unsupported_construct_with_its_column(string text, int column, string construct)
    {
        var error = Assert.Throws<CelSyntaxException>(() => CelExpression.Parse(text, CelDialect.Routing));

        Assert.Equal(column, error.Column);
        Assert.Contains(construct, error.Message, StringComparison.Ordinal);
        Assert.Contains("not supported in routing rules", error.Message, StringComparison.Ordinal);
        Assert.Contains($"(column {column})", error.Message, StringComparison.Ordinal);
        Assert.Contains("event.<path>", error.Help, StringComparison.Ordinal);
        Assert.Contains("has(", error.Help, StringComparison.Ordinal);
        Assert.Contains("daprd", error.Help, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", 1, "empty")]
    [InlineData("   ", 1, "empty")]
    [InlineData("event.type", 1, "must evaluate to true or false, but 'event.type' is a value")]
    [InlineData("event", 1, "'event' is a value")]
    [InlineData("\"x\"", 1, "'\"x\"' is a value")]
    [InlineData("null", 1, "'null' is a value")]
    [InlineData("(event.data.flag)", 2, "'event.data.flag' is a value")]
    [InlineData("event.data.flag && event.type == \"a\"", 1, "operands of '&&' must be conditions")]
    [InlineData("event.type == \"a\" || \"b\"", 22, "operands of '||' must be conditions")]
    [InlineData("event.a == event.b == event.c", 20, "cannot be chained")]
    [InlineData("event.a != 1 == true", 14, "cannot be chained")]
    [InlineData("event.type ==", 14, "unexpected end of expression")]
    [InlineData("(event.type == \"a\"", 19, "expected ')' to close the '(' at column 1")]
    [InlineData("event.type == \"a\")", 18, "unexpected ')'")]
    [InlineData("event.type == \"a\" event.source == \"b\"", 19, "unexpected 'event'")]
    [InlineData("event.", 7, "expected a field name after '.'")]
    [InlineData("event.true == 1", 7, "unexpected 'true'")]
    [InlineData("has(event)", 5, "has() takes a field path under event")]
    [InlineData("has(event.a == \"x\")", 5, "has() takes a field path under event")]
    [InlineData("has()", 5, "has() needs a field path")]
    [InlineData("has(event.a, event.b)", 12, "exactly one argument")]
    [InlineData("has(event.a", 12, "expected ')' to close has(")]
    [InlineData("has(data.x)", 5, "identifier 'data'")]
    [InlineData("event.a = \"x\"", 9, "'=' is not an operator")]
    [InlineData("event.a == 1 & event.b == 2", 14, "'&' is not an operator")]
    [InlineData("event.a == 1 | event.b == 2", 14, "'|' is not an operator")]
    [InlineData("event.type == 'a' @", 19, "unexpected character '@'")]
    [InlineData("event.a == \"abc", 12, "unterminated string literal")]
    [InlineData("event.a == \"ab\nc\"", 12, "unterminated string literal")]
    [InlineData("event.a == \"a\\x41\"", 14, "escape sequence '\\x'")]
    [InlineData("event.a == \"a\\u0041\"", 14, "escape sequence '\\u'")]
    [InlineData("event.a == \"\"\"x\"\"\"", 12, "triple-quoted")]
    [InlineData("event.a == r\"x\"", 12, "raw and bytes string literals")]
    [InlineData("event.a == b'x'", 12, "raw and bytes string literals")]
    [InlineData("event.a == 0x1F", 12, "number literal '0x1F'")]
    [InlineData("event.a == 1u", 12, "number literal '1u'")]
    [InlineData("event.a == 99999999999999999999", 12, "cannot be compared exactly")]
    [InlineData("event.a == 1e999", 12, "cannot be compared exactly")]
    [InlineData("event.a == .5", 12, "unexpected '.'")]
    public void Rejects_malformed_or_non_boolean_expressions_with_column(string text, int column, string fragment)
    {
        var error = Assert.Throws<CelSyntaxException>(() => CelExpression.Parse(text, CelDialect.Routing));

        Assert.Equal(column, error.Column);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(error.Help));
    }

    [Theory]
    [InlineData("event.type")]
    [InlineData("event.data.flag && event.type == \"a\"")]
    public void Bare_paths_get_help_that_shows_the_explicit_form(string text)
    {
        var error = Assert.Throws<CelSyntaxException>(() => CelExpression.Parse(text, CelDialect.Routing));

        Assert.Contains("== \"...\"", error.Help, StringComparison.Ordinal);
        Assert.Contains("has(event.", error.Help, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_escape_help_lists_the_supported_ones()
    {
        var error = Assert.Throws<CelSyntaxException>(() => CelExpression.Parse("event.a == '\\a'", CelDialect.Routing));

        Assert.Contains("\\n", error.Help, StringComparison.Ordinal);
        Assert.Contains("\\t", error.Help, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_refused_instead_of_overflowing_the_stack()
    {
        var parens = new string('(', 10_000) + "event.type == \"a\"" + new string(')', 10_000);
        var nots = new string('!', 10_000) + "(requests > 1)";

        var routing = Assert.Throws<CelSyntaxException>(() => CelExpression.Parse(parens, CelDialect.Routing));
        var trip = Assert.Throws<CelSyntaxException>(() => CelExpression.Parse(nots, CelDialect.CircuitBreakerTrip));

        Assert.Contains("nests more than", routing.Message, StringComparison.Ordinal);
        Assert.Contains("nests more than", trip.Message, StringComparison.Ordinal);
        Assert.True(CelExpression.Parse(new string('(', 20) + "event.type == \"a\"" + new string(')', 20), CelDialect.Routing)
            .Evaluate(CelTestEvents.Json("""{"type":"a"}""")));
    }
}
