using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Veltrix.Sagas;

/// <summary>A registered saga, untyped: what the engine runs.</summary>
public interface ISagaDefinition
{
    string Name { get; }

    /// <summary>A hash of the node list (names, kinds, which have compensations): an instance runs only under the version that started it.</summary>
    string Version { get; }

    internal IReadOnlyList<SagaNode> Nodes { get; }

    /// <summary>The saga's initial data from a start input; throws <see cref="JsonException"/> when the input does not fit.</summary>
    internal JsonElement Initialize(JsonElement input);

    /// <summary>The output a completed instance shows, from its final data.</summary>
    internal JsonElement Output(JsonElement data);
}

/// <summary>Entry point: <c>SagaDefinition.Create("name", inputType, dataType, input =&gt; data).Step(...).Build()</c>.</summary>
public static class SagaDefinition
{
    public static SagaBuilder<TInput, TData> Create<TInput, TData>(string name, JsonTypeInfo<TInput> input, JsonTypeInfo<TData> data,
        Func<TInput, TData> initialize) => new(name, input, data, initialize);
}

/// <summary>
/// Builds an ordered list of nodes: steps (action, optional compensation, retry policy, timeout), durable delays and
/// waits for a named external event. The saga's data (<typeparamref name="TData"/>) is persisted after every node.
/// </summary>
public sealed class SagaBuilder<TInput, TData>
{
    private static readonly System.Text.RegularExpressions.Regex NamePattern = new("^[A-Za-z0-9_.-]{1,64}$", System.Text.RegularExpressions.RegexOptions.Compiled);
    private readonly string _name;
    private readonly JsonTypeInfo<TInput> _input;
    private readonly JsonTypeInfo<TData> _data;
    private readonly Func<TInput, TData> _initialize;
    private readonly List<SagaNode> _nodes = [];

    internal SagaBuilder(string name, JsonTypeInfo<TInput> input, JsonTypeInfo<TData> data, Func<TInput, TData> initialize)
    {
        if (!NamePattern.IsMatch(name)) throw new ArgumentException($"saga name '{name}' must be 1–64 letters, digits, '.', '-' or '_'.", nameof(name));
        _name = name;
        _input = input;
        _data = data;
        _initialize = initialize;
    }

    /// <summary>A step: <paramref name="execute"/> runs at least once per success (use <c>ctx.IdempotencyKey</c> downstream).</summary>
    public SagaBuilder<TInput, TData> Step(string name, Func<StepContext<TData>, CancellationToken, Task> execute,
        Func<StepContext<TData>, CancellationToken, Task>? compensate = null, StepOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(execute);
        options ??= new StepOptions();
        options.EffectiveRetry.Validate($"saga '{_name}' step '{name}'");
        options.EffectiveCompensationRetry.Validate($"saga '{_name}' step '{name}' compensation");
        if (options.EffectiveTimeout <= TimeSpan.Zero) throw new ArgumentException($"saga '{_name}' step '{name}': the timeout must be positive.");
        return Add(new SagaNode(name, NodeKind.Step, options)
        {
            Execute = Invoke(execute),
            Compensate = compensate is null ? null : Invoke(compensate),
        });
    }

    /// <summary>A durable delay: the instance sleeps in the store (surviving restarts) and continues at or after the due time.</summary>
    public SagaBuilder<TInput, TData> Delay(string name, TimeSpan delay)
    {
        if (delay < TimeSpan.Zero) throw new ArgumentException($"saga '{_name}' delay '{name}' must not be negative.");
        return Add(new SagaNode(name, NodeKind.Delay, new StepOptions()) { Duration = delay });
    }

    /// <summary>
    /// Waits for the external event <paramref name="eventName"/> (case-insensitive, FIFO; an event raised before the
    /// wait is buffered and consumed here). <paramref name="apply"/> folds the payload into the data and may throw
    /// <see cref="NonRetryableStepException"/> to fail the saga. Without the event by <paramref name="timeout"/> the
    /// node fails (<see cref="SagaErrorCodes.EventTimedOut"/>) and the saga compensates.
    /// </summary>
    public SagaBuilder<TInput, TData> WaitForEvent<TEvent>(string name, string eventName, TimeSpan timeout, JsonTypeInfo<TEvent> eventType,
        Action<StepContext<TData>, TEvent> apply)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        ArgumentNullException.ThrowIfNull(apply);
        if (timeout <= TimeSpan.Zero) throw new ArgumentException($"saga '{_name}' wait '{name}': the timeout must be positive.");
        return Add(new SagaNode(name, NodeKind.WaitForEvent, new StepOptions())
        {
            Duration = timeout,
            EventName = eventName,
            ApplyEvent = (invocation, payload) =>
            {
                var context = Context(invocation);
                TEvent evt;
                try
                {
                    evt = payload.Deserialize(eventType)!;
                }
                catch (JsonException e)
                {
                    throw new NonRetryableStepException($"event '{eventName}' does not have the expected shape: {e.Message}", SagaErrorCodes.StepFailed, e);
                }
                apply(context, evt);
                return Result(context);
            },
        });
    }

    public SagaDefinition<TInput, TData> Build()
    {
        if (_nodes.Count == 0) throw new InvalidOperationException($"saga '{_name}' has no steps.");
        return new SagaDefinition<TInput, TData>(_name, _nodes.ToList(), _input, _data, _initialize);
    }

    private SagaBuilder<TInput, TData> Add(SagaNode node)
    {
        if (!NamePattern.IsMatch(node.Name)) throw new ArgumentException($"saga '{_name}': node name '{node.Name}' must be 1–64 letters, digits, '.', '-' or '_'.");
        if (_nodes.Any(n => string.Equals(n.Name, node.Name, StringComparison.Ordinal)))
            throw new ArgumentException($"saga '{_name}' has two nodes named '{node.Name}'; names identify the step records and idempotency keys.");
        _nodes.Add(node);
        return this;
    }

    private Func<NodeInvocation, CancellationToken, Task<NodeResult>> Invoke(Func<StepContext<TData>, CancellationToken, Task> action) =>
        async (invocation, cancellationToken) =>
        {
            var context = Context(invocation);
            await action(context, cancellationToken);
            return Result(context);
        };

    private StepContext<TData> Context(NodeInvocation i) =>
        new(i.InstanceId, i.SagaName, i.StepName, i.Attempt, i.IdempotencyKey, i.Data.Deserialize(_data)!, i.Now, i.Services, i.CustomStatus);

    private NodeResult Result(StepContext<TData> context) => new(JsonSerializer.SerializeToElement(context.Data, _data), context.CustomStatus);
}

/// <summary>A built saga: register it with <c>services.AddSagas(...).Add(definition)</c>.</summary>
public sealed class SagaDefinition<TInput, TData> : ISagaDefinition
{
    private readonly IReadOnlyList<SagaNode> _nodes;
    private readonly JsonTypeInfo<TInput> _input;
    private readonly JsonTypeInfo<TData> _data;
    private readonly Func<TInput, TData> _initialize;

    internal SagaDefinition(string name, IReadOnlyList<SagaNode> nodes, JsonTypeInfo<TInput> input, JsonTypeInfo<TData> data, Func<TInput, TData> initialize)
    {
        Name = name;
        _nodes = nodes;
        _input = input;
        _data = data;
        _initialize = initialize;
        var signature = string.Join('|', nodes.Select(n => n.Signature));
        Version = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(signature)))[..12];
    }

    public string Name { get; }
    public string Version { get; }

    IReadOnlyList<SagaNode> ISagaDefinition.Nodes => _nodes;

    JsonElement ISagaDefinition.Initialize(JsonElement input)
    {
        var typed = input.Deserialize(_input) ?? throw new JsonException("the input is null");
        return JsonSerializer.SerializeToElement(_initialize(typed), _data);
    }

    JsonElement ISagaDefinition.Output(JsonElement data) => data;
}
