using Veltrix.Resources.Cel;
using Xunit;

namespace Veltrix.Resources.Tests.Cel;

public sealed class CelRoutingParseTests
{
    [Theory]
    [InlineData("event.type == \"order.created\"", true)]
    [InlineData("event.type == 'order.created'", true)]
    [InlineData("event.type != \"order.created\"", false)]
    [InlineData("\"order.created\" == event.type", true)]
    [InlineData("has(event.data.priority) && event.data.priority == \"high\"", true)]
    [InlineData("event.data.customer.tier != 'gold' || event.source == \"web\"", true)]
    [InlineData("(event.type == \"x\")", false)]
    [InlineData("((event.type == \"x\" || event.type == \"order.created\") && event.source == 'web')", true)]
    [InlineData("event.data.count == 5", true)]
    [InlineData("event.data.ratio == 0.5", true)]
    [InlineData("event.data.negative == -3", true)]
    [InlineData("event.data.negative == - 3", true)]
    [InlineData("event.data.thousand == 1e3", true)]
    [InlineData("event.data.thousand == 1.0E+3", true)]
    [InlineData("event.data.flag == true", true)]
    [InlineData("event.data.off == false", true)]
    [InlineData("event.data.nothing == null", true)]
    [InlineData("event.data == null", false)]
    [InlineData("event == null", false)]
    [InlineData("has(event.id)", true)]
    [InlineData("has(event.data.absent)", false)]
    [InlineData("has((event.data).priority)", true)]
    [InlineData("has(event.data.flag) == true", true)]
    [InlineData("(event.type == \"order.created\") != false", true)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("1 == 1.0", true)]
    [InlineData("  event.type\n  == \"order.created\"\t", true)]
    [InlineData("event.type == \"order.created\" // orders only\n && event.source == \"web\"", true)]
    [InlineData("event.type==\"order.created\"&&event.source!=\"app\"", true)]
    public void Accepts_supported_forms_and_evaluates_them(string text, bool expected)
    {
        var expression = CelExpression.Parse(text, CelDialect.Routing);

        Assert.Equal(text, expression.Text);
        Assert.Equal(text, expression.ToString());
        Assert.Equal(CelDialect.Routing, expression.Dialect);
        Assert.Equal(expected, expression.Evaluate(CelTestEvents.Order));
    }

    [Fact]
    public void Precedence_puts_and_above_or()
    {
        // true || (false && false) == true; (true || false) && false would be false.
        var expression = CelExpression.Parse(
            "event.source == \"web\" || event.source == \"x\" && event.source == \"y\"", CelDialect.Routing);

        Assert.True(expression.Evaluate(CelTestEvents.Order));
    }

    [Fact]
    public void Parse_rejects_null_text()
    {
        Assert.Throws<ArgumentNullException>(() => CelExpression.Parse(null!, CelDialect.Routing));
    }

    [Fact]
    public void Evaluating_with_the_other_dialects_inputs_is_a_programming_error()
    {
        var routing = CelExpression.Parse("event.type == \"x\"", CelDialect.Routing);
        var trip = CelExpression.Parse("requests > 1", CelDialect.CircuitBreakerTrip);

        Assert.Throws<InvalidOperationException>(() => routing.Evaluate(new Dictionary<string, long>()));
        Assert.Throws<InvalidOperationException>(() => trip.Evaluate(CelTestEvents.Order));
    }
}
