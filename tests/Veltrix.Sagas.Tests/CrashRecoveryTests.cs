namespace Veltrix.Sagas.Tests;

/// <summary>Reference cases 1–6, 13, 15 and 22: a worker dies at every point of a step, and another finishes the saga correctly.</summary>
public sealed class CrashRecoveryTests
{
    private static readonly string[] Steps = ["reserve", "charge", "ship"];
    private readonly Harness _h = new();
    private readonly SagaDefinition<OrderInput, OrderData> _saga = TestSagas.Linear("order", Steps);

    private async Task<string> StartAsync(SagaEngine engine, string id = "o1")
    {
        await _h.Client(engine, _saga).StartAsync("order", id, Harness.Input(id));
        return id;
    }

    private static Func<SagaHookPoint, string, string, Task> CrashAt(SagaHookPoint point, string step) =>
        (p, _, node) => p == point && node == step ? throw new SimulatedCrash() : Task.CompletedTask;

    private async Task AssertCompletedOnceAsync(string id)
    {
        var doc = await _h.DocumentAsync(id);
        Assert.Equal(SagaStatus.Completed, doc.Status);
        Assert.Equal(Steps, Harness.Data(doc).Done);
        foreach (var step in Steps) Assert.Equal(1, _h.Downstream.Applied(step));
    }

    [Fact]
    public async Task A_crash_after_the_claim_runs_the_step_once_later_with_the_attempt_counted()
    {
        var first = _h.Engine("w1", _saga);
        first.Hook = CrashAt(SagaHookPoint.AfterClaim, "charge");
        var id = await StartAsync(first);
        await Assert.ThrowsAsync<SimulatedCrash>(() => first.TickAsync(id, default));
        Assert.Equal(0, _h.Downstream.Executions("charge"));

        var second = _h.Engine("w2", _saga);
        await second.RunDueAsync(); // the dead worker's lease still holds: nothing happens
        Assert.Equal(0, _h.Downstream.Executions("charge"));
        Assert.Equal(StepState.Running, (await _h.DocumentAsync(id)).Steps[1].State);
        _h.Time.Advance(TimeSpan.FromSeconds(36));   // lease (30 s + 5 s grace) expired
        await second.RunDueAsync();
        _h.Time.Advance(TimeSpan.FromSeconds(2));    // the lost attempt's retry delay
        await second.RunDueAsync();

        await AssertCompletedOnceAsync(id);
        Assert.Equal(1, _h.Downstream.Executions("charge"));
        var charge = (await _h.DocumentAsync(id)).Steps[1];
        Assert.Equal(2, charge.Attempts);
        Assert.Equal(StepState.Succeeded, charge.State);
    }

    [Fact]
    public async Task A_crash_between_the_effect_and_its_record_repeats_the_step_with_the_same_key_and_the_effect_applies_once()
    {
        var first = _h.Engine("w1", _saga);
        first.Hook = CrashAt(SagaHookPoint.AfterExecute, "charge");
        var id = await StartAsync(first);
        await Assert.ThrowsAsync<SimulatedCrash>(() => first.TickAsync(id, default));
        Assert.Equal(1, _h.Downstream.Executions("charge"));

        var second = _h.Engine("w2", _saga);
        _h.Time.Advance(TimeSpan.FromSeconds(36));
        await second.RunDueAsync();
        _h.Time.Advance(TimeSpan.FromSeconds(2));
        await second.RunDueAsync();

        await AssertCompletedOnceAsync(id);
        Assert.Equal(2, _h.Downstream.Executions("charge")); // at least once…
        Assert.Equal(1, _h.Downstream.Applied("charge"));    // …with one idempotency key, so one effect
    }

    [Fact]
    public async Task A_crash_after_the_record_is_continued_by_the_sweeper_without_repeating_anything()
    {
        var first = _h.Engine("w1", _saga);
        first.Hook = CrashAt(SagaHookPoint.AfterRecord, "charge");
        var id = await StartAsync(first);
        await Assert.ThrowsAsync<SimulatedCrash>(() => first.TickAsync(id, default));

        var second = _h.Engine("w2", _saga);
        await second.RunDueAsync(); // the record left the instance due now and holding no step: no wait for a lease
        await AssertCompletedOnceAsync(id);
        foreach (var step in Steps) Assert.Equal(1, _h.Downstream.Executions(step));
    }

    [Fact]
    public async Task An_ambiguous_write_is_resolved_by_reading_again_without_advancing_twice()
    {
        var engine = _h.Engine("w1", _saga);
        var id = await StartAsync(engine);
        _h.Store.FailNextWrite("saga:o1", apply: true); // the claim of "reserve" is saved, but the answer is lost
        await Assert.ThrowsAsync<IOException>(() => engine.TickAsync(id, default));
        _h.Time.Advance(TimeSpan.FromSeconds(2));
        await engine.RunDueAsync();
        _h.Time.Advance(TimeSpan.FromSeconds(2));
        await engine.RunDueAsync();

        await AssertCompletedOnceAsync(id);
        Assert.Equal(1, _h.Downstream.Executions("reserve")); // the claimed attempt never ran; it counted as lost
        Assert.Equal(2, (await _h.DocumentAsync(id)).Steps[0].Attempts);
    }

    [Fact]
    public async Task An_index_entry_without_a_document_and_a_document_with_a_stale_index_entry_are_both_harmless()
    {
        var engine = _h.Engine("w1", _saga);
        _h.Store.FailNextWrite("saga:o2", apply: false); // start: the index entry is written, the document is not
        await Assert.ThrowsAsync<IOException>(() => StartAsync(engine, "o2"));
        var id = await StartAsync(engine);
        _h.Store.FailNextWrite("saga-index", apply: false); // the tick's final index write fails: the entry stays "due now"
        await Assert.ThrowsAsync<IOException>(() => engine.TickAsync(id, default));
        Assert.Equal(SagaStatus.Completed, (await _h.DocumentAsync(id)).Status);

        await engine.RunDueAsync(); // the early entry costs a read and is corrected; the missing document is skipped
        await AssertCompletedOnceAsync(id);
        Assert.DoesNotContain(await engine.DueAsync(default), i => i == id);
    }

    [Fact]
    public async Task A_hanging_step_times_out_and_is_retried_and_a_worker_killed_during_the_hang_is_replaced_after_its_lease()
    {
        var saga = TestSagas.Linear("order", Steps, s => s == "charge" ? new StepOptions(new RetryPolicy(3, TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(10)) : null);
        var hang = new TaskCompletionSource();
        _h.Downstream.Behaviour["charge"] = async (attempt, ct) =>
        {
            if (attempt == 1) await Task.Delay(Timeout.Infinite, ct);
            if (attempt == 2) await hang.Task; // "killed": never returns
        };
        var first = _h.Engine("w1", saga);
        await _h.Client(first, saga).StartAsync("order", "o1", Harness.Input("o1"));
        var tick = first.TickAsync("o1", default);
        await Eventually(() => _h.Downstream.Executions("charge") == 1);
        _h.Time.Advance(TimeSpan.FromSeconds(11)); // the attempt's timeout fires
        await tick;
        var charge = (await _h.DocumentAsync("o1")).Steps[1];
        Assert.Equal(StepState.RetryScheduled, charge.State);
        Assert.Contains(SagaErrorCodes.StepTimedOut, charge.LastError, StringComparison.Ordinal);

        _h.Time.Advance(TimeSpan.FromSeconds(1));
        var abandoned = first.TickAsync("o1", default); // attempt 2 hangs forever: this worker is as good as dead
        await Eventually(() => _h.Downstream.Executions("charge") == 2);
        var second = _h.Engine("w2", saga);
        _h.Time.Advance(TimeSpan.FromSeconds(16)); // past the lease (10 s timeout + 5 s grace … at least 30 s)
        _h.Time.Advance(TimeSpan.FromSeconds(16));
        await second.RunDueAsync();
        _h.Time.Advance(TimeSpan.FromSeconds(1));
        await second.RunDueAsync();
        var doc = await _h.DocumentAsync("o1");
        Assert.Equal(SagaStatus.Completed, doc.Status);
        Assert.Equal(3, doc.Steps[1].Attempts);
        hang.SetResult();
        await abandoned; // its late result is discarded
        Assert.Equal(SagaStatus.Completed, (await _h.DocumentAsync("o1")).Status);
    }

    [Fact]
    public async Task A_durable_delay_survives_a_restart_and_fires_once_at_its_time()
    {
        var saga = TestSagas.Linear("order", Steps, delay: (0, TimeSpan.FromMinutes(10)));
        var first = _h.Engine("w1", saga);
        await _h.Client(first, saga).StartAsync("order", "o1", Harness.Input("o1"));
        await first.RunDueAsync();
        var doc = await _h.DocumentAsync("o1");
        Assert.Equal(["reserve"], Harness.Data(doc).Done);
        Assert.Equal(_h.Time.GetUtcNow() + TimeSpan.FromMinutes(10), doc.WakeAt);

        var second = _h.Engine("w2", saga); // "restart"
        _h.Time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(0, await second.RunDueAsync());
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        await second.RunDueAsync();
        await second.RunDueAsync();
        await AssertCompletedOnceAsync("o1");
        Assert.Equal(1, _h.Downstream.Executions("charge"));
    }

    [Fact]
    public async Task A_poison_step_that_kills_its_worker_every_time_runs_out_of_attempts_and_the_saga_compensates()
    {
        var saga = TestSagas.Linear("order", Steps, s => s == "charge" ? new StepOptions(new RetryPolicy(3, TimeSpan.FromSeconds(1))) : null);
        var client = _h.Client(_h.Engine("w0", saga), saga);
        await client.StartAsync("order", "o1", Harness.Input("o1"));
        for (var worker = 1; worker <= 10 && !(await _h.DocumentAsync("o1")).IsTerminal; worker++)
        {
            var engine = _h.Engine($"w{worker}", saga);
            engine.Hook = CrashAt(SagaHookPoint.AfterClaim, "charge");
            try
            {
                await engine.RunDueAsync();
            }
            catch (SimulatedCrash)
            {
            }
            _h.Time.Advance(TimeSpan.FromSeconds(40));
        }
        var doc = await _h.DocumentAsync("o1");
        Assert.Equal(SagaStatus.Compensated, doc.Status);
        Assert.Equal(3, doc.Steps[1].Attempts);
        Assert.Equal(SagaErrorCodes.AttemptLost, doc.Failure!.Code);
        Assert.Equal(1, _h.Downstream.Applied("compensate:reserve"));
    }

    internal static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }
}
