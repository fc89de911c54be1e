namespace Veltrix.Sagas;

/// <summary>
/// How a step is retried, with Durable Task's parameter names: <paramref name="MaxAttempts"/> counts every attempt
/// (the first included); after the k-th failure the next attempt waits
/// <c>min(FirstRetryInterval × BackoffCoefficient^(k−1), MaxRetryInterval)</c>; no attempt starts once
/// <paramref name="RetryTimeout"/> has passed since the first. <see cref="ShouldRetry"/> decides per error; by default
/// everything but <see cref="NonRetryableStepException"/> is retried.
/// </summary>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan FirstRetryInterval, double BackoffCoefficient = 1.0,
    TimeSpan? MaxRetryInterval = null, TimeSpan? RetryTimeout = null)
{
    /// <summary>One attempt, no retry.</summary>
    public static readonly RetryPolicy None = new(1, TimeSpan.FromSeconds(1));

    /// <summary>What a step gets when it names none: 3 attempts, 1 s then 2 s.</summary>
    public static readonly RetryPolicy Default = new(3, TimeSpan.FromSeconds(1), 2.0, TimeSpan.FromSeconds(30));

    /// <summary>What a compensation gets when it names none: generous, since a compensation that gives up needs a person.</summary>
    public static readonly RetryPolicy DefaultCompensation = new(20, TimeSpan.FromSeconds(1), 2.0, TimeSpan.FromSeconds(30));

    /// <summary>Whether an error may be retried at all; null retries everything but <see cref="NonRetryableStepException"/>.</summary>
    public Func<Exception, bool>? ShouldRetry { get; init; }

    /// <summary>Throws when the parameters make no sense (checked when a saga is built, not when a step fails).</summary>
    public void Validate(string what)
    {
        if (MaxAttempts < 1) throw new ArgumentException($"{what}: MaxAttempts must be at least 1 (got {MaxAttempts}).");
        if (FirstRetryInterval <= TimeSpan.Zero) throw new ArgumentException($"{what}: FirstRetryInterval must be positive.");
        if (BackoffCoefficient < 1.0) throw new ArgumentException($"{what}: BackoffCoefficient must be at least 1 (got {BackoffCoefficient}).");
        if (MaxRetryInterval is { } max && max < FirstRetryInterval) throw new ArgumentException($"{what}: MaxRetryInterval must not be below FirstRetryInterval.");
        if (RetryTimeout is { } timeout && timeout < FirstRetryInterval) throw new ArgumentException($"{what}: RetryTimeout must not be below FirstRetryInterval.");
    }

    /// <summary>
    /// The wait before the next attempt after <paramref name="failures"/> failed attempts, or null when the step has
    /// failed for good. Pure: the same arguments always give the same answer.
    /// </summary>
    public TimeSpan? NextDelay(int failures, DateTimeOffset firstAttemptAt, DateTimeOffset now, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (failures >= MaxAttempts) return null;
        if (error is NonRetryableStepException || (ShouldRetry is { } should && !should(error))) return null;
        var delay = FirstRetryInterval.TotalMilliseconds * Math.Pow(BackoffCoefficient, Math.Max(0, failures - 1));
        var capped = MaxRetryInterval is { } max ? Math.Min(delay, max.TotalMilliseconds) : delay;
        var wait = TimeSpan.FromMilliseconds(Math.Min(capped, TimeSpan.FromDays(365).TotalMilliseconds));
        if (RetryTimeout is { } timeout && now + wait >= firstAttemptAt + timeout) return null;
        return wait;
    }
}
