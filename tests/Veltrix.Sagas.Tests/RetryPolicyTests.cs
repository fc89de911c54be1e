namespace Veltrix.Sagas.Tests;

/// <summary>Reference case 12: the delay formula, the attempt cap, the overall timeout and non-retryable errors.</summary>
public sealed class RetryPolicyTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1, 1000)]   // first retry: the first interval
    [InlineData(2, 2000)]   // × 2
    [InlineData(3, 4000)]
    [InlineData(4, 5000)]   // capped at the max interval
    [InlineData(5, 5000)]
    public void Delays_grow_by_the_coefficient_up_to_the_cap(int failures, int expectedMs)
    {
        var policy = new RetryPolicy(10, TimeSpan.FromSeconds(1), 2.0, TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), policy.NextDelay(failures, Start, Start, new IOException()));
    }

    [Fact]
    public void No_retry_after_the_last_attempt_after_the_timeout_or_for_a_non_retryable_error()
    {
        var policy = new RetryPolicy(3, TimeSpan.FromSeconds(1), 1.0, RetryTimeout: TimeSpan.FromSeconds(10));
        Assert.NotNull(policy.NextDelay(2, Start, Start, new IOException()));
        Assert.Null(policy.NextDelay(3, Start, Start, new IOException()));
        Assert.Null(policy.NextDelay(1, Start, Start + TimeSpan.FromSeconds(9.5), new IOException())); // the next attempt would start after the budget
        Assert.Null(policy.NextDelay(1, Start, Start, new NonRetryableStepException("no")));
        Assert.Null((policy with { ShouldRetry = e => e is not ArgumentException }).NextDelay(1, Start, Start, new ArgumentException()));
        Assert.NotNull((policy with { ShouldRetry = e => e is not ArgumentException }).NextDelay(1, Start, Start, new IOException()));
    }

    [Fact]
    public void Nonsense_policies_are_refused_when_the_saga_is_built()
    {
        Assert.Throws<ArgumentException>(() => new RetryPolicy(0, TimeSpan.FromSeconds(1)).Validate("x"));
        Assert.Throws<ArgumentException>(() => new RetryPolicy(2, TimeSpan.FromSeconds(1), 0.5).Validate("x"));
        Assert.Throws<ArgumentException>(() => new RetryPolicy(2, TimeSpan.FromSeconds(2), MaxRetryInterval: TimeSpan.FromSeconds(1)).Validate("x"));
        Assert.Throws<ArgumentException>(() => TestSagas.Linear("bad", ["a"], _ => new StepOptions(new RetryPolicy(0, TimeSpan.FromSeconds(1)))));
    }
}
