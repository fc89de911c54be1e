namespace Veltrix.Sagas.Tests;

/// <summary>Reference cases 16–18: what is compensated, in which order, when compensation itself fails, and terminate.</summary>
public sealed class CompensationTests
{
    private static readonly string[] Steps = ["a", "b", "c", "d"];
    private readonly Harness _h = new();

    [Fact]
    public async Task A_step_failing_for_good_compensates_the_completed_steps_in_reverse_and_neither_itself_nor_later_ones()
    {
        var saga = TestSagas.Linear("s", Steps, s => new StepOptions(new RetryPolicy(2, TimeSpan.FromSeconds(1))), compensable: s => s != "b");
        _h.Downstream.Behaviour["c"] = (_, _) => throw new InvalidOperationException("card declined");
        var engine = _h.Engine("w", saga);
        await _h.Client(engine, saga).StartAsync("s", "i1", Harness.Input("i1"));
        await engine.RunDueAsync();
        _h.Time.Advance(TimeSpan.FromSeconds(1));
        await engine.RunDueAsync();

        var doc = await _h.DocumentAsync("i1");
        Assert.Equal(SagaStatus.Compensated, doc.Status);
        Assert.Equal(["a", "b", "c", "c", "compensate:a"], _h.Downstream.Calls); // b has no compensation; c failed; d never ran
        Assert.Equal("c", doc.Failure!.Step);
        Assert.Contains("card declined", doc.Failure.Message, StringComparison.Ordinal);
        Assert.Equal([StepState.Compensated, StepState.Succeeded, StepState.Failed, StepState.Pending], doc.Steps.Select(s => s.State));
    }

    [Fact]
    public async Task Compensate_if_failed_also_undoes_the_failing_step_and_the_order_is_last_first()
    {
        var saga = TestSagas.Linear("s", Steps, s => s == "c" ? new StepOptions(RetryPolicy.None, CompensateIfFailed: true) : null);
        _h.Downstream.Behaviour["c"] = (_, _) => throw new NonRetryableStepException("half done");
        var engine = _h.Engine("w", saga);
        await _h.Client(engine, saga).StartAsync("s", "i1", Harness.Input("i1"));
        await engine.RunDueAsync();
        Assert.Equal(["a", "b", "c", "compensate:c", "compensate:b", "compensate:a"], _h.Downstream.Calls);
    }

    [Fact]
    public async Task A_compensation_failing_transiently_is_retried_and_for_good_ends_in_compensation_failed_after_trying_the_others()
    {
        var saga = TestSagas.Linear("s", Steps, s => new StepOptions(RetryPolicy.None, CompensationRetry: new RetryPolicy(3, TimeSpan.FromSeconds(1))));
        _h.Downstream.Behaviour["d"] = (_, _) => throw new NonRetryableStepException("out of stock", "VX9998");
        _h.Downstream.Behaviour["compensate:c"] = (_, _) => throw new IOException("refund service down");
        _h.Downstream.Behaviour["compensate:b"] = (attempt, _) => attempt < 2 ? throw new IOException("blip") : Task.CompletedTask;
        var engine = _h.Engine("w", saga);
        await _h.Client(engine, saga).StartAsync("s", "i1", Harness.Input("i1"));
        for (var i = 0; i < 6; i++)
        {
            await engine.RunDueAsync();
            _h.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var doc = await _h.DocumentAsync("i1");
        Assert.Equal(SagaStatus.CompensationFailed, doc.Status);
        Assert.Equal("VX9998", doc.Failure!.Code); // the original cause is kept
        Assert.Equal(3, _h.Downstream.Executions("compensate:c"));
        Assert.Equal(2, _h.Downstream.Executions("compensate:b"));
        Assert.Equal(1, _h.Downstream.Executions("compensate:a"));
        Assert.Equal([StepState.Compensated, StepState.Compensated, StepState.CompensationFailed, StepState.Failed], doc.Steps.Select(s => s.State));
        Assert.Contains("refund service down", doc.Steps[2].CompensationLastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_crash_after_a_compensation_effect_repeats_it_with_the_same_key()
    {
        var saga = TestSagas.Linear("s", Steps, s => new StepOptions(RetryPolicy.None));
        _h.Downstream.Behaviour["c"] = (_, _) => throw new NonRetryableStepException("no");
        var first = _h.Engine("w1", saga);
        first.Hook = (point, _, node) => point == SagaHookPoint.AfterExecute && node == "b" && _h.Downstream.Executions("compensate:b") == 1
            ? throw new SimulatedCrash() : Task.CompletedTask;
        await _h.Client(first, saga).StartAsync("s", "i1", Harness.Input("i1"));
        await Assert.ThrowsAsync<SimulatedCrash>(() => first.RunDueAsync());

        var second = _h.Engine("w2", saga);
        _h.Time.Advance(TimeSpan.FromSeconds(40));
        for (var i = 0; i < 3; i++)
        {
            await second.RunDueAsync();
            _h.Time.Advance(TimeSpan.FromSeconds(2));
        }
        var doc = await _h.DocumentAsync("i1");
        Assert.Equal(SagaStatus.Compensated, doc.Status);
        Assert.Equal(2, _h.Downstream.Executions("compensate:b"));
        Assert.Equal(1, _h.Downstream.Applied("compensate:b"));
        Assert.Equal(1, _h.Downstream.Executions("compensate:a"));
    }

    /// <summary>Runs instance i1 until step "b" is in progress, does <paramref name="operation"/>, lets "b" finish and runs what is due.</summary>
    private async Task WhileStepBRunsAsync(Func<SagaClient, Task> operation)
    {
        var saga = TestSagas.Linear("s", Steps);
        var gate = new TaskCompletionSource();
        _h.Downstream.Behaviour["b"] = (_, _) => gate.Task;
        var engine = _h.Engine("w", saga);
        var client = _h.Client(engine, saga);
        await client.StartAsync("s", "i1", Harness.Input("i1"));
        var tick = engine.TickAsync("i1", default);
        await CrashRecoveryTests.Eventually(() => _h.Downstream.Executions("b") == 1);
        await operation(client);
        gate.SetResult();
        await tick;
        await engine.RunDueAsync();
    }

    [Fact]
    public async Task Terminate_during_a_step_records_its_result_without_continuing_or_compensating()
    {
        await WhileStepBRunsAsync(client => client.TerminateAsync("i1", "operator says stop"));

        var doc = await _h.DocumentAsync("i1");
        Assert.Equal(SagaStatus.Terminated, doc.Status);
        Assert.Equal("operator says stop", doc.TerminateReason);
        Assert.Equal(StepState.Succeeded, doc.Steps[1].State); // recorded…
        Assert.Equal(["a", "b"], _h.Downstream.Calls);          // …not continued, nothing compensated
    }

    [Fact]
    public async Task Cancel_during_a_step_lets_it_finish_and_compensates_it_and_the_steps_before()
    {
        await WhileStepBRunsAsync(client => client.CancelAsync("i1", "customer changed their mind"));

        var doc = await _h.DocumentAsync("i1");
        Assert.Equal(SagaStatus.Compensated, doc.Status);
        Assert.Equal(SagaErrorCodes.Cancelled, doc.Failure!.Code);
        Assert.Equal("customer changed their mind", doc.Failure.Message);
        Assert.Equal(["a", "b", "compensate:b", "compensate:a"], _h.Downstream.Calls);
    }

    [Fact]
    public async Task Retrying_a_failed_compensation_after_the_fix_finishes_the_rollback()
    {
        var saga = TestSagas.Linear("s", Steps, s => new StepOptions(RetryPolicy.None, CompensationRetry: new RetryPolicy(2, TimeSpan.FromSeconds(1))));
        _h.Downstream.Behaviour["c"] = (_, _) => throw new NonRetryableStepException("no");
        _h.Downstream.Behaviour["compensate:b"] = (_, _) => throw new IOException("refunds are down");
        var engine = _h.Engine("w", saga);
        var client = _h.Client(engine, saga);
        await client.StartAsync("s", "i1", Harness.Input("i1"));
        await engine.RunDueAsync();
        _h.Time.Advance(TimeSpan.FromSeconds(1));
        await engine.RunDueAsync();
        Assert.Equal(SagaStatus.CompensationFailed, (await _h.DocumentAsync("i1")).Status);
        Assert.Equal(SagaErrorCodes.InvalidState, (await Assert.ThrowsAsync<SagaRequestException>(() => client.CancelAsync("i1"))).Code);

        _h.Downstream.Behaviour.TryRemove("compensate:b", out _); // an operator fixed the refund service
        await client.RetryCompensationAsync("i1");
        await engine.RunDueAsync();
        var doc = await _h.DocumentAsync("i1");
        Assert.Equal(SagaStatus.Compensated, doc.Status);
        Assert.Equal(3, _h.Downstream.Executions("compensate:b"));
        Assert.Equal(1, _h.Downstream.Executions("compensate:a")); // compensated once, before the retry; not again
        Assert.Equal(SagaErrorCodes.InvalidState, (await Assert.ThrowsAsync<SagaRequestException>(() => client.RetryCompensationAsync("i1"))).Code);
    }

    [Fact]
    public async Task A_saga_whose_first_step_fails_has_nothing_to_compensate_and_is_failed()
    {
        var saga = TestSagas.Linear("s", Steps, s => new StepOptions(RetryPolicy.None));
        _h.Downstream.Behaviour["a"] = (_, _) => throw new NonRetryableStepException("sold out", "VX9997");
        var engine = _h.Engine("w", saga);
        await _h.Client(engine, saga).StartAsync("s", "i1", Harness.Input("i1"));
        await engine.RunDueAsync();
        var doc = await _h.DocumentAsync("i1");
        Assert.Equal(SagaStatus.Failed, doc.Status);
        Assert.Equal("VX9997", doc.Failure!.Code);
    }
}
