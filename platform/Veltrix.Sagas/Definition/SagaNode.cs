using System.Text.Json;

namespace Veltrix.Sagas;

internal enum NodeKind
{
    Step,
    Delay,
    WaitForEvent,
}

/// <summary>What one node invocation gets, untyped (the definition converts to and from the saga's data type).</summary>
internal sealed record NodeInvocation(string InstanceId, string SagaName, string StepName, int Attempt, string IdempotencyKey,
    JsonElement Data, DateTimeOffset Now, IServiceProvider Services, string? CustomStatus);

/// <summary>The data and custom status after a successful invocation.</summary>
internal sealed record NodeResult(JsonElement Data, string? CustomStatus);

/// <summary>One node of a saga definition: a step, a durable delay, or a wait for an external event.</summary>
internal sealed record SagaNode(string Name, NodeKind Kind, StepOptions Options)
{
    public Func<NodeInvocation, CancellationToken, Task<NodeResult>>? Execute { get; init; }
    public Func<NodeInvocation, CancellationToken, Task<NodeResult>>? Compensate { get; init; }

    /// <summary>For <see cref="NodeKind.Delay"/>: how long; for <see cref="NodeKind.WaitForEvent"/>: the timeout.</summary>
    public TimeSpan Duration { get; init; }

    public string? EventName { get; init; }

    /// <summary>For <see cref="NodeKind.WaitForEvent"/>: folds the event's payload into the data (may throw to fail the node).</summary>
    public Func<NodeInvocation, JsonElement, NodeResult>? ApplyEvent { get; init; }

    public bool HasCompensation => Compensate is not null;

    public string Signature => $"{Kind}:{Name}:{(HasCompensation ? "c" : "-")}:{EventName}";
}
