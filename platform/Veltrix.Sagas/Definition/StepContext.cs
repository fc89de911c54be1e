namespace Veltrix.Sagas;

/// <summary>
/// What a step (or compensation, or event handler) sees. <see cref="Data"/> is a copy of the saga's data: changes are
/// persisted only when the step succeeds. <see cref="IdempotencyKey"/> is the same for every attempt of the step (a
/// compensation has its own), so downstream services can apply the effect once however often the step runs.
/// </summary>
public sealed class StepContext<TData>
{
    internal StepContext(string instanceId, string sagaName, string stepName, int attempt, string idempotencyKey, TData data,
        DateTimeOffset now, IServiceProvider services, string? customStatus)
    {
        InstanceId = instanceId;
        SagaName = sagaName;
        StepName = stepName;
        Attempt = attempt;
        IdempotencyKey = idempotencyKey;
        Data = data;
        Now = now;
        Services = services;
        CustomStatus = customStatus;
    }

    public string InstanceId { get; }
    public string SagaName { get; }
    public string StepName { get; }

    /// <summary>1 for the first attempt.</summary>
    public int Attempt { get; }

    /// <summary><c>{instanceId}/{generation}/{step}</c>, or with <c>/compensate</c> appended for a compensation.</summary>
    public string IdempotencyKey { get; }

    public TData Data { get; set; }

    /// <summary>The engine's clock when the attempt started.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>A scope per attempt.</summary>
    public IServiceProvider Services { get; }

    /// <summary>A short text the status shows (<c>customStatus</c>); persisted with the data.</summary>
    public string? CustomStatus { get; set; }
}
