namespace Veltrix.Sagas;

/// <summary>The VX6xxx codes of the saga engine (documented in docs/errors.md).</summary>
public static class SagaErrorCodes
{
    /// <summary>404: no saga definition with that name is registered on this app.</summary>
    public const string UnknownSaga = "VX6001";

    /// <summary>404: no instance with that ID (never started, or purged).</summary>
    public const string InstanceNotFound = "VX6002";

    /// <summary>400: the instance ID has characters other than letters, digits, '-' and '_', or is longer than 64.</summary>
    public const string InvalidInstanceId = "VX6003";

    /// <summary>409: an instance with that ID exists with a different input, or has already finished.</summary>
    public const string InstanceExists = "VX6004";

    /// <summary>409: the operation does not apply to the instance's status (purge of a running one, pause of a finished one).</summary>
    public const string InvalidState = "VX6005";

    /// <summary>400: the start input is not JSON of the saga's input shape.</summary>
    public const string InvalidInput = "VX6006";

    /// <summary>400: the list query has an unknown status or a page size out of range.</summary>
    public const string InvalidQuery = "VX6007";

    /// <summary>429: the instance already buffers as many unconsumed events as it may.</summary>
    public const string InboxFull = "VX6008";

    /// <summary>Instance status STALLED: its definition (name and step list) is not registered on this worker.</summary>
    public const string DefinitionMismatch = "VX6009";

    /// <summary>Step failure cause: an attempt ran longer than the step's timeout.</summary>
    public const string StepTimedOut = "VX6010";

    /// <summary>Step failure cause: the worker running an attempt stopped (crash, kill) before recording its outcome.</summary>
    public const string AttemptLost = "VX6011";

    /// <summary>Step failure cause: the awaited external event did not arrive before the wait's timeout.</summary>
    public const string EventTimedOut = "VX6012";

    /// <summary>Step failure cause: the step threw an error that is not a <see cref="NonRetryableStepException"/> with a code of its own.</summary>
    public const string StepFailed = "VX6013";

    /// <summary>Instance failure cause: an operator cancelled the instance; what it had done was compensated.</summary>
    public const string Cancelled = "VX6014";
}
