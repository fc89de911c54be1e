using System.Collections.Concurrent;
using System.Text.Json.Serialization;

namespace Veltrix.Sagas.Tests;

public sealed record OrderInput(string OrderId);

public sealed class OrderData
{
    public string OrderId { get; set; } = "";
    public List<string> Done { get; set; } = [];
    public List<string> Approvals { get; set; } = [];
}

public sealed record Approval(string By, bool Approved);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(OrderInput))]
[JsonSerializable(typeof(OrderData))]
[JsonSerializable(typeof(Approval))]
internal sealed partial class TestJson : JsonSerializerContext;

/// <summary>
/// The downstream services of the test sagas: every call is logged in order, an effect is applied once per
/// idempotency key (like a service that deduplicates), and a step's behaviour can be scripted per attempt.
/// </summary>
public sealed class Downstream
{
    private readonly ConcurrentQueue<string> _calls = new();
    private readonly ConcurrentDictionary<string, int> _applied = new(StringComparer.Ordinal);

    /// <summary>Runs before the effect of a step (or "compensate:step"): throw to fail the attempt, await to hang it.</summary>
    public ConcurrentDictionary<string, Func<int, CancellationToken, Task>> Behaviour { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Calls => _calls.ToList();

    /// <summary>Effects applied (distinct idempotency keys) for a step.</summary>
    public int Applied(string what) => _applied.Keys.Count(k => k.StartsWith(what + "@", StringComparison.Ordinal));

    public int Executions(string what) => _calls.Count(c => c == what);

    public async Task RunAsync(string what, string key, int attempt, CancellationToken cancellationToken)
    {
        _calls.Enqueue(what);
        if (Behaviour.TryGetValue(what, out var behaviour)) await behaviour(attempt, cancellationToken);
        _applied.TryAdd($"{what}@{key}", 0);
    }
}

internal static class TestSagas
{
    /// <summary>A saga of steps that each call <see cref="Downstream"/> ("name" / "compensate:name"), optionally with a wait for "approval".</summary>
    public static SagaDefinition<OrderInput, OrderData> Linear(string name, IReadOnlyList<string> steps, Func<string, StepOptions?>? options = null,
        Func<string, bool>? compensable = null, (int After, TimeSpan Timeout)? approval = null, (int After, TimeSpan Delay)? delay = null)
    {
        var builder = SagaDefinition.Create(name, TestJson.Default.OrderInput, TestJson.Default.OrderData, input => new OrderData { OrderId = input.OrderId });
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            builder.Step(step,
                async (ctx, ct) =>
                {
                    await Effects(ctx).RunAsync(step, ctx.IdempotencyKey, ctx.Attempt, ct);
                    ctx.Data.Done.Add(step);
                },
                compensable?.Invoke(step) == false ? null : async (ctx, ct) =>
                {
                    await Effects(ctx).RunAsync("compensate:" + step, ctx.IdempotencyKey, ctx.Attempt, ct);
                    ctx.Data.Done.Add("undo " + step);
                },
                options?.Invoke(step));
            if (approval is { } wait && wait.After == i)
                builder.WaitForEvent("approval", "Approved", wait.Timeout, TestJson.Default.Approval, (ctx, evt) =>
                {
                    if (!evt.Approved) throw new NonRetryableStepException($"rejected by {evt.By}", "VX9999");
                    ctx.Data.Approvals.Add(evt.By);
                });
            if (delay is { } pause && pause.After == i) builder.Delay("cool-off", pause.Delay);
        }
        return builder.Build();
    }

    private static Downstream Effects<T>(StepContext<T> ctx) => (Downstream)ctx.Services.GetService(typeof(Downstream))!;
}
