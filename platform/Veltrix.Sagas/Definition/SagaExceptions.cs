namespace Veltrix.Sagas;

/// <summary>
/// Thrown by a step (or an event handler) for an error that retrying cannot fix — the step fails for good and the
/// saga compensates. <see cref="Code"/> (a VX code when there is one) is kept in the failure the status shows.
/// </summary>
public class NonRetryableStepException(string message, string? code = null, Exception? innerException = null) : Exception(message, innerException)
{
    public string? Code { get; } = code;
}

/// <summary>An attempt ran longer than its step's timeout; retried like any other failure.</summary>
public sealed class StepTimeoutException(string message) : Exception(message);

/// <summary>A management request the saga cannot honour; <see cref="Code"/> is a <see cref="SagaErrorCodes"/> value.</summary>
public sealed class SagaRequestException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
}
