using System.Text.Json;
using Veltrix.Resources.Cel;
using Xunit;

namespace Veltrix.Resources.Tests.Cel;

public sealed class CelRoutingEvaluationTests
{
    private const string True = "event.source == \"web\"";
    private const string False = "event.source == \"app\"";
    private const string Error = "event.data.absent == 1";

    private static bool Evaluate(string text, JsonElement? @event = null) =>
        CelExpression.Parse(text, CelDialect.Routing).Evaluate(@event ?? CelTestEvents.Order);

    private static CelEvaluationException Fails(string text, JsonElement? @event = null) =>
        Assert.Throws<CelEvaluationException>(() => Evaluate(text, @event));

    // null expected = evaluation error. Covers CEL's commutative error absorption on both sides.
    [Theory]
    [InlineData(True, "&&", True, true)]
    [InlineData(True, "&&", False, false)]
    [InlineData(False, "&&", True, false)]
    [InlineData(False, "&&", False, false)]
    [InlineData(False, "&&", Error, false)]
    [InlineData(Error, "&&", False, false)]
    [InlineData(True, "&&", Error, null)]
    [InlineData(Error, "&&", True, null)]
    [InlineData(Error, "&&", Error, null)]
    [InlineData(True, "||", True, true)]
    [InlineData(True, "||", False, true)]
    [InlineData(False, "||", True, true)]
    [InlineData(False, "||", False, false)]
    [InlineData(True, "||", Error, true)]
    [InlineData(Error, "||", True, true)]
    [InlineData(False, "||", Error, null)]
    [InlineData(Error, "||", False, null)]
    [InlineData(Error, "||", Error, null)]
    public void Logical_operators_follow_cel_truth_table_with_error_absorption(string left, string op, string right, bool? expected)
    {
        var text = $"{left} {op} {right}";
        if (expected is { } value)
        {
            Assert.Equal(value, Evaluate(text));
        }
        else
        {
            Assert.Contains("no such key: data.absent", Fails(text).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void When_both_sides_fail_the_left_error_is_reported()
    {
        var error = Fails("event.data.first == 1 && event.data.second == 2");

        Assert.Contains("data.first", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Column);
    }

    [Theory]
    [InlineData("event.data.count == 5", true)]
    [InlineData("event.data.count == 5.0", true)]
    [InlineData("event.data.count == 5.5", false)]
    [InlineData("event.data.count != 5", false)]
    [InlineData("event.data.count != 6", true)]
    [InlineData("event.data.fiveDecimal == 5", true)]
    [InlineData("event.data.fiveDecimal == event.data.count", true)]
    [InlineData("event.data.ratio == 0.5", true)]
    [InlineData("event.data.ratio == 0.50", true)]
    [InlineData("event.data.negative == -3", true)]
    [InlineData("event.data.negative == 3", false)]
    [InlineData("event.data.thousand == 1e3", true)]
    [InlineData("event.data.thousand == 10e2", true)]
    [InlineData("-0 == 0", true)]
    public void Numbers_compare_numerically(string text, bool expected)
    {
        Assert.Equal(expected, Evaluate(text));
    }

    [Theory]
    [InlineData("event.type == \"order.created\"", true)]
    [InlineData("event.type == \"ORDER.CREATED\"", false)]
    [InlineData("event.type == \"order.created \"", false)]
    [InlineData("event.data.text == \"say \\\"hi\\\"\\n\\tit's\"", true)]
    [InlineData("event.data.text == 'say \"hi\"\\n\\tit\\'s'", true)]
    [InlineData("event.data.text == 'say \"hi\" it\\'s'", false)]
    [InlineData("event.data.backslash == 'a\\\\b'", true)]
    [InlineData("event.data.backslash == \"a\\\\b\"", true)]
    [InlineData("\"\\r\" == \"\\r\"", true)]
    [InlineData("'' == \"\"", true)]
    public void Strings_compare_ordinally_after_unescaping(string text, bool expected)
    {
        Assert.Equal(expected, Evaluate(text));
    }

    [Theory]
    [InlineData("event.data.flag == true", true)]
    [InlineData("event.data.flag != false", true)]
    [InlineData("event.data.off == true", false)]
    [InlineData("event.data.nothing == null", true)]
    [InlineData("null == event.data.nothing", true)]
    [InlineData("event.data.nothing != null", false)]
    [InlineData("event.type == null", false)]
    [InlineData("event.type != null", true)]
    [InlineData("event.data.count == null", false)]
    [InlineData("event.data == null", false)]
    [InlineData("event.data.items != null", true)]
    [InlineData("event.data.nothing != \"x\"", true)]
    [InlineData("null == null", true)]
    [InlineData("has(event.data.flag) == true", true)]
    [InlineData("(event.type == \"x\") == false", true)]
    public void Bools_and_null_compare_as_cel_does(string text, bool expected)
    {
        Assert.Equal(expected, Evaluate(text));
    }

    [Theory]
    [InlineData("event.data.count == \"5\"", "no such overload: number == string")]
    [InlineData("event.data.count != \"5\"", "no such overload: number != string")]
    [InlineData("event.type == 1", "no such overload: string == number")]
    [InlineData("event.data.flag == 1", "no such overload: bool == number")]
    [InlineData("event.data.flag == \"true\"", "no such overload: bool == string")]
    [InlineData("event.data.customer == \"gold\"", "cannot compare a JSON object")]
    [InlineData("event.data.items == 1", "cannot compare a JSON array")]
    [InlineData("event.data.items != event.data.items", "cannot compare a JSON array")]
    public void Mixed_kinds_and_structured_values_are_errors(string text, string fragment)
    {
        var error = Fails(text);

        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        var op = text.Contains("!=", StringComparison.Ordinal) ? "!=" : "==";
        Assert.Equal(text.IndexOf(op, StringComparison.Ordinal) + 1, error.Column); // errors point at the comparison
    }

    [Theory]
    [InlineData("event.data.absent == \"high\"", "no such key: data.absent")]
    [InlineData("event.data.absent.deeper == 1", "no such key: data.absent")]
    [InlineData("event.nope == 1", "no such key: nope")]
    [InlineData("event.data.customer.region == \"eu\"", "no such key: data.customer.region")]
    public void Reading_a_missing_key_is_an_error_naming_the_key(string text, string fragment)
    {
        var error = Fails(text);

        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.Contains("has(event.", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("(column 1)", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Column);
    }

    [Fact]
    public void Missing_priority_is_reported_like_dapr()
    {
        var withoutPriority = CelTestEvents.Json("""{"type":"order.created","data":{}}""");

        var error = Fails("event.data.priority == \"high\"", withoutPriority);

        Assert.StartsWith("no such key: data.priority", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"data":{"priority":"high"}}""", true)]
    [InlineData("""{"data":{"priority":"low"}}""", false)]
    [InlineData("""{"data":{}}""", false)]
    [InlineData("""{"data":{"priority":null}}""", false)]
    public void Has_guards_an_optional_field(string json, bool expected)
    {
        var rule = CelExpression.Parse("has(event.data.priority) && event.data.priority == \"high\"", CelDialect.Routing);

        Assert.Equal(expected, rule.Evaluate(CelTestEvents.Json(json)));
    }

    [Theory]
    [InlineData("has(event.id)", true)]
    [InlineData("has(event.data)", true)]
    [InlineData("has(event.data.nothing)", true)]
    [InlineData("has(event.data.off)", true)]
    [InlineData("has(event.data.absent)", false)]
    [InlineData("has(event.data.customer.tier)", true)]
    [InlineData("has(event.data.customer.region)", false)]
    public void Has_tests_presence_of_the_last_field(string text, bool expected)
    {
        Assert.Equal(expected, Evaluate(text));
    }

    [Theory]
    [InlineData("has(event.data.absent.x)", "no such key: data.absent")]
    [InlineData("has(event.data.count.x)", "has() needs an object at data.count, but it is a JSON number")]
    [InlineData("has(event.data.items.x)", "has() needs an object at data.items, but it is a JSON array")]
    [InlineData("has(event.data.nothing.x)", "has() needs an object at data.nothing, but it is a JSON null")]
    public void Has_requires_the_prefix_to_be_an_existing_object(string text, string fragment)
    {
        Assert.Contains(fragment, Fails(text).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("event.type.length == 1", "cannot select field 'length': type is a JSON string, not an object")]
    [InlineData("event.data.items.first == 1", "cannot select field 'first': data.items is a JSON array, not an object")]
    public void Selecting_a_field_of_a_non_object_is_an_error(string text, string fragment)
    {
        Assert.Contains(fragment, Fails(text).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gold", "app", false)]
    [InlineData("gold", "web", true)]
    [InlineData("silver", "app", true)]
    public void Dapr_docs_style_rule_evaluates(string tier, string source, bool expected)
    {
        var rule = CelExpression.Parse("event.data.customer.tier != 'gold' || event.source == \"web\"", CelDialect.Routing);
        var @event = CelTestEvents.Json($$"""{ "source": "{{source}}", "data": { "customer": { "tier": "{{tier}}" } } }""");

        Assert.Equal(expected, rule.Evaluate(@event));
    }

    [Fact]
    public void A_decisive_right_operand_absorbs_a_missing_key_on_the_left()
    {
        var rule = CelExpression.Parse("event.data.customer.tier != 'gold' || event.source == \"web\"", CelDialect.Routing);

        Assert.True(rule.Evaluate(CelTestEvents.Json("""{"source":"web","data":{}}""")));
        var error = Assert.Throws<CelEvaluationException>(() => rule.Evaluate(CelTestEvents.Json("""{"source":"app","data":{}}""")));
        Assert.Contains("no such key: data.customer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_event_that_is_not_an_object_cannot_be_read()
    {
        Assert.Throws<CelEvaluationException>(() => Evaluate("event.type == \"x\"", CelTestEvents.Json("[1]")));
        Assert.Throws<CelEvaluationException>(() => Evaluate("event.type == \"x\"", default(JsonElement)));
        Assert.Throws<CelEvaluationException>(() => Evaluate("event == null", default(JsonElement)));
    }

    [Fact]
    public void A_parsed_rule_can_be_evaluated_repeatedly_against_different_events()
    {
        var rule = CelExpression.Parse("event.type == \"widget\"", CelDialect.Routing);

        Assert.True(rule.Evaluate(CelTestEvents.Json("""{"type":"widget"}""")));
        Assert.False(rule.Evaluate(CelTestEvents.Json("""{"type":"gadget"}""")));
    }
}
