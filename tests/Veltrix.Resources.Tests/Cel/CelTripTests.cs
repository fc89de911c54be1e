using Veltrix.Resources.Cel;
using Xunit;

namespace Veltrix.Resources.Tests.Cel;

public sealed class CelTripTests
{
    private static Dictionary<string, long> Counters(
        long requests = 0,
        long totalSuccesses = 0,
        long totalFailures = 0,
        long consecutiveSuccesses = 0,
        long consecutiveFailures = 0) => new()
        {
            ["requests"] = requests,
            ["totalSuccesses"] = totalSuccesses,
            ["totalFailures"] = totalFailures,
            ["consecutiveSuccesses"] = consecutiveSuccesses,
            ["consecutiveFailures"] = consecutiveFailures,
        };

    private static bool Trips(string text, IReadOnlyDictionary<string, long> counters) =>
        CelExpression.Parse(text, CelDialect.CircuitBreakerTrip).Evaluate(counters);

    [Theory]
    [InlineData(0, false)]
    [InlineData(5, false)]
    [InlineData(6, true)]
    [InlineData(100, true)]
    public void Consecutive_failures_above_five_trip(long consecutiveFailures, bool expected)
    {
        Assert.Equal(expected, Trips("consecutiveFailures > 5", Counters(consecutiveFailures: consecutiveFailures)));
    }

    [Theory]
    [InlineData(3, 11, true)]
    [InlineData(2, 11, false)]
    [InlineData(3, 10, false)]
    [InlineData(2, 10, false)]
    public void Conjunction_of_counters(long totalFailures, long requests, bool expected)
    {
        Assert.Equal(expected, Trips("totalFailures >= 3 && requests > 10", Counters(requests, totalFailures: totalFailures)));
    }

    [Theory]
    [InlineData("requests == 4", true)]
    [InlineData("requests != 4", false)]
    [InlineData("requests < 4", false)]
    [InlineData("requests < 5", true)]
    [InlineData("requests <= 4", true)]
    [InlineData("requests <= 3", false)]
    [InlineData("requests > 3", true)]
    [InlineData("requests >= 4", true)]
    [InlineData("requests >= 5", false)]
    [InlineData("4 == requests", true)]
    [InlineData("totalSuccesses < totalFailures", true)]
    [InlineData("consecutiveSuccesses == 0 || consecutiveFailures > 100", true)]
    [InlineData("!(requests > 3)", false)]
    [InlineData("!!(requests > 3)", true)]
    [InlineData("!(requests > 3) || totalFailures == 2", true)]
    [InlineData("(requests > 1 || totalFailures > 1) && !(consecutiveSuccesses > 0)", true)]
    [InlineData("requests > -1", true)]
    [InlineData("requests > -9223372036854775808", true)]
    [InlineData("requests < 9223372036854775807", true)]
    public void Relations_and_logic_over_counters(string text, bool expected)
    {
        Assert.Equal(expected, Trips(text, Counters(requests: 4, totalSuccesses: 1, totalFailures: 2)));
    }

    [Fact]
    public void Missing_counter_is_an_evaluation_error()
    {
        var error = Assert.Throws<CelEvaluationException>(
            () => Trips("requests > 10", new Dictionary<string, long> { ["consecutiveFailures"] = 1 }));

        Assert.Contains("no value supplied for counter 'requests'", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Column);
    }

    [Fact]
    public void Missing_counter_errors_are_absorbed_by_a_decisive_operand()
    {
        var onlyFailures = new Dictionary<string, long> { ["consecutiveFailures"] = 6 };
        var fewFailures = new Dictionary<string, long> { ["consecutiveFailures"] = 1 };

        Assert.True(Trips("requests > 100 || consecutiveFailures > 5", onlyFailures));
        Assert.False(Trips("requests > 100 && consecutiveFailures > 5", fewFailures));
        Assert.Throws<CelEvaluationException>(() => Trips("requests > 100 && consecutiveFailures > 5", onlyFailures));
    }

    [Theory]
    [InlineData("failures > 5", 1, "unknown variable 'failures'")]
    [InlineData("event.type == 1", 1, "unknown variable 'event'")]
    public void Unknown_variables_are_refused_listing_the_counters(string text, int column, string fragment)
    {
        var error = Assert.Throws<CelSyntaxException>(() => CelExpression.Parse(text, CelDialect.CircuitBreakerTrip));

        Assert.Equal(column, error.Column);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        foreach (var counter in new[] { "requests", "totalSuccesses", "totalFailures", "consecutiveSuccesses", "consecutiveFailures" })
        {
            Assert.Contains(counter, error.Help, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("consecutiveFailures", 1, "'consecutiveFailures' is a value")]
    [InlineData("5", 1, "'5' is a value")]
    [InlineData("consecutiveFailures > 2.5", 23, "decimal literal '2.5'")]
    [InlineData("consecutiveFailures > \"5\"", 23, "a string literal is not supported")]
    [InlineData("requests > 5 && true", 17, "literal 'true' is not supported")]
    [InlineData("requests == null", 13, "literal 'null' is not supported")]
    [InlineData("consecutiveFailures > 5 > 2", 25, "cannot be chained")]
    [InlineData("requests + 1 > 5", 10, "arithmetic ('+')")]
    [InlineData("requests > 5 - 1", 14, "arithmetic ('-')")]
    [InlineData("!consecutiveFailures > 5", 2, "'!' applies to conditions, but 'consecutiveFailures' is a value")]
    [InlineData("(requests > 1) == (totalFailures > 2)", 16, "compares counters and integer literals")]
    [InlineData("requests && totalFailures > 1", 1, "operands of '&&' must be conditions")]
    [InlineData("requests.count > 1", 9, "field selection ('.')")]
    [InlineData("size(requests) > 1", 1, "function 'size()'")]
    [InlineData("has(requests)", 1, "function 'has()'")]
    [InlineData("requests in [1]", 10, "the 'in' operator")]
    [InlineData("requests > 1 ? true : false", 14, "conditional operator")]
    [InlineData("requests > 99999999999999999999", 12, "out of range")]
    public void Refuses_what_trip_expressions_do_not_support(string text, int column, string fragment)
    {
        var error = Assert.Throws<CelSyntaxException>(() => CelExpression.Parse(text, CelDialect.CircuitBreakerTrip));

        Assert.Equal(column, error.Column);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(error.Help));
    }

    [Fact]
    public void Refusal_help_describes_the_trip_subset()
    {
        var error = Assert.Throws<CelSyntaxException>(() => CelExpression.Parse("requests * 2 > 1", CelDialect.CircuitBreakerTrip));

        Assert.Contains("not supported in circuit-breaker trip expressions", error.Message, StringComparison.Ordinal);
        Assert.Contains("consecutiveFailures", error.Help, StringComparison.Ordinal);
        Assert.Contains("<=", error.Help, StringComparison.Ordinal);
    }
}
