using Veltrix.Resources.Resiliency;

namespace Veltrix.Sidecar.Resiliency;

/// <summary>
/// retry( circuit breaker( timeout( attempt ) ) ), as daprd composes them (contract §6). Without a policy there is
/// exactly one attempt. The timeout applies to each attempt.
/// </summary>
public sealed class InboundPolicy(RetrySpec? retry, TimeSpan? timeout, CircuitBreaker? breaker, TimeProvider time)
{
    private const double ExponentialMultiplier = 1.5;
    private static readonly TimeSpan ExponentialInitial = TimeSpan.FromMilliseconds(500);

    public RetrySpec? Retry => retry;
    public TimeSpan? Timeout => timeout;
    public CircuitBreaker? Breaker => breaker;

    public static InboundPolicy None(TimeProvider time) => new(null, null, null, time);

    /// <param name="attempt">One try; it must turn its own failures (including the timeout's cancellation) into a result.</param>
    /// <param name="verdict">Whether a result is worth retrying.</param>
    /// <param name="breakerOpen">The result to use when the breaker refuses the attempt.</param>
    public async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> attempt, Func<T, AttemptVerdict> verdict, Func<T> breakerOpen,
        CancellationToken cancellationToken)
    {
        for (var number = 1; ; number++)
        {
            T result;
            if (breaker is not null && !breaker.TryEnter())
            {
                result = breakerOpen();
            }
            else
            {
                using var deadline = timeout is { } limit ? new CancellationTokenSource(limit, time) : null;
                using var linked = deadline is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
                result = await attempt(linked?.Token ?? cancellationToken);
                breaker?.Record(!verdict(result).Retriable);
            }

            var outcome = verdict(result);
            if (!outcome.Retriable || retry is null) return result;
            if (outcome.HttpStatus is { } status && retry.HttpStatusCodes is { } codes && !codes.Contains(status)) return result;
            if (retry.MaxRetries >= 0 && number > retry.MaxRetries) return result;
            await Task.Delay(Backoff(number), time, cancellationToken);
        }
    }

    /// <summary>The wait before retry number <paramref name="number"/> (1-based).</summary>
    public TimeSpan Backoff(int number)
    {
        if (retry is null) return TimeSpan.Zero;
        if (retry.Kind == RetryKind.Constant) return retry.Duration;
        var interval = ExponentialInitial.TotalMilliseconds * Math.Pow(ExponentialMultiplier, Math.Min(number - 1, 64));
        interval = Math.Min(interval, retry.MaxInterval.TotalMilliseconds);
        var randomised = interval * (0.5 + Random.Shared.NextDouble()); // ±50%, as Dapr's backoff
        return TimeSpan.FromMilliseconds(Math.Min(randomised, retry.MaxInterval.TotalMilliseconds));
    }
}
