namespace Veltrix.ServiceDefaults;

/// <summary>How the infrastructure failed (<see cref="InfrastructureFailure.Classify"/>): the sentence a client reads depends on it, the retry does not.</summary>
public enum InfrastructureFailureKind
{
    /// <summary>No connection: the sidecar is not listening (stopped, restarting), or it could not reach what is behind it.</summary>
    Unreachable,

    /// <summary>The sidecar, or what is behind it, did not answer in time.</summary>
    TimedOut,

    /// <summary>The sidecar answered that a component behind it (store, broker, invoked app) failed or refused the work for now.</summary>
    Failed,
}
