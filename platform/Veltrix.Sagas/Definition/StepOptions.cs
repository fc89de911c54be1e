namespace Veltrix.Sagas;

/// <summary>
/// A step's policies. <paramref name="Timeout"/> bounds one attempt (the step's token is cancelled and the attempt
/// counts as failed); <paramref name="CompensateIfFailed"/> also compensates the step when it is the one that failed
/// for good (for steps that may have partly applied their effect).
/// </summary>
public sealed record StepOptions(RetryPolicy? Retry = null, TimeSpan? Timeout = null, RetryPolicy? CompensationRetry = null,
    bool CompensateIfFailed = false)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    internal RetryPolicy EffectiveRetry => Retry ?? RetryPolicy.Default;
    internal RetryPolicy EffectiveCompensationRetry => CompensationRetry ?? RetryPolicy.DefaultCompensation;
    internal TimeSpan EffectiveTimeout => Timeout ?? DefaultTimeout;
}
