namespace Veltrix.Sagas.Tests;

/// <summary>Reference cases 7–9: two workers on one instance, a lease that expires under a slow holder, and a raise during a step.</summary>
public sealed class ConcurrencyTests
{
    private static readonly string[] Steps = ["reserve", "charge", "ship"];
    private readonly Harness _h = new();

    [Fact]
    public async Task The_same_tick_delivered_twice_at_once_runs_each_step_once()
    {
        var saga = TestSagas.Linear("order", Steps);
        var gate = new TaskCompletionSource();
        _h.Downstream.Behaviour["reserve"] = (_, _) => gate.Task;
        var a = _h.Engine("a", saga);
        var b = _h.Engine("b", saga);
        await _h.Client(a, saga).StartAsync("order", "o1", Harness.Input("o1"));

        var first = a.TickAsync("o1", default);
        await CrashRecoveryTests.Eventually(() => _h.Downstream.Executions("reserve") == 1);
        await b.TickAsync("o1", default); // the duplicate: a holds the lease
        gate.SetResult();
        await first;
        await Task.WhenAll(a.RunDueAsync(), b.RunDueAsync());

        Assert.Equal(SagaStatus.Completed, (await _h.DocumentAsync("o1")).Status);
        foreach (var step in Steps) Assert.Equal(1, _h.Downstream.Executions(step));
    }

    [Fact]
    public async Task Many_workers_racing_on_many_instances_complete_each_step_exactly_once()
    {
        var saga = TestSagas.Linear("order", Steps);
        var engines = Enumerable.Range(0, 4).Select(i => _h.Engine($"w{i}", saga)).ToList();
        var client = _h.Client(engines[0], saga);
        for (var i = 0; i < 20; i++) await client.StartAsync("order", $"o{i}", Harness.Input($"o{i}"));
        await Task.WhenAll(engines.Select(e => Task.Run(() => e.RunDueAsync())));
        await Task.WhenAll(engines.Select(e => Task.Run(() => e.RunDueAsync())));
        for (var i = 0; i < 20; i++) Assert.Equal(SagaStatus.Completed, (await _h.DocumentAsync($"o{i}")).Status);
        foreach (var step in Steps) Assert.Equal(20, _h.Downstream.Executions(step));
    }

    [Fact]
    public async Task When_a_lease_expires_under_a_slow_holder_the_new_worker_runs_the_step_and_the_old_result_is_discarded()
    {
        var saga = TestSagas.Linear("order", Steps, s => new StepOptions(new RetryPolicy(3, TimeSpan.FromSeconds(1)), TimeSpan.FromMinutes(5)));
        var slow = new TaskCompletionSource();
        _h.Downstream.Behaviour["charge"] = (attempt, _) => attempt == 1 ? slow.Task : Task.CompletedTask;
        var a = _h.Engine("a", saga);
        await _h.Client(a, saga).StartAsync("order", "o1", Harness.Input("o1"));
        var paused = a.TickAsync("o1", default); // "a" is paused (GC, VM freeze) inside charge
        await CrashRecoveryTests.Eventually(() => _h.Downstream.Executions("charge") == 1);

        var b = _h.Engine("b", saga);
        _h.Time.Advance(TimeSpan.FromMinutes(6)); // the lease (timeout + grace) is over
        await b.RunDueAsync();
        _h.Time.Advance(TimeSpan.FromSeconds(1));
        await b.RunDueAsync();
        Assert.Equal(SagaStatus.Completed, (await _h.DocumentAsync("o1")).Status);

        slow.SetResult(); // "a" wakes up and tries to record attempt 1
        await paused;
        var doc = await _h.DocumentAsync("o1");
        Assert.Equal(SagaStatus.Completed, doc.Status);
        Assert.Equal(2, doc.Steps[1].Attempts);
        Assert.Equal(2, _h.Downstream.Executions("charge"));
        Assert.Equal(1, _h.Downstream.Applied("charge"));  // both attempts carried the same key
        Assert.Equal(1, _h.Downstream.Executions("ship"));
    }

    [Fact]
    public async Task An_event_raised_while_a_step_runs_and_the_step_result_both_persist()
    {
        var saga = TestSagas.Linear("order", Steps, approval: (1, TimeSpan.FromHours(1)));
        var gate = new TaskCompletionSource();
        _h.Downstream.Behaviour["charge"] = (_, _) => gate.Task;
        var engine = _h.Engine("w", saga);
        var client = _h.Client(engine, saga);
        await client.StartAsync("order", "o1", Harness.Input("o1"));
        var tick = engine.TickAsync("o1", default);
        await CrashRecoveryTests.Eventually(() => _h.Downstream.Executions("charge") == 1);
        Assert.Equal(RaiseEventResult.Accepted, await client.RaiseEventAsync("o1", "approved", Harness.Json(new Approval("ann", true), TestJson.Default.Approval)));
        gate.SetResult();
        await tick;

        var doc = await _h.DocumentAsync("o1");
        Assert.Equal(SagaStatus.Completed, doc.Status);
        Assert.Equal(["reserve", "charge", "ship"], Harness.Data(doc).Done);
        Assert.Equal(["ann"], Harness.Data(doc).Approvals);
    }
}
