using System.Text.Json;

namespace Veltrix.Sagas.Tests;

/// <summary>Reference cases 11, 19–21, 23–25: idempotent start, suspend/resume, definition changes, purge, store outages, clocks.</summary>
public sealed class LifecycleTests
{
    private static readonly string[] Steps = ["reserve", "charge", "ship"];
    private readonly Harness _h = new();
    private readonly SagaDefinition<OrderInput, OrderData> _saga = TestSagas.Linear("order", Steps);

    [Fact]
    public async Task Starting_twice_with_the_same_id_and_input_is_one_instance_and_a_different_input_is_a_conflict()
    {
        var engine = _h.Engine("w", _saga);
        var client = _h.Client(engine, _saga);
        Assert.True((await client.StartAsync("order", "o1", Harness.Input("o1"))).Created);
        Assert.False((await client.StartAsync("order", "o1", Harness.Input("o1"))).Created);
        var conflict = await Assert.ThrowsAsync<SagaRequestException>(() => client.StartAsync("order", "o1", Harness.Input("other")));
        Assert.Equal(SagaErrorCodes.InstanceExists, conflict.Code);
        await engine.RunDueAsync();
        Assert.False((await client.StartAsync("order", "o1", Harness.Input("o1"))).Created); // finished: still the same instance
        await Assert.ThrowsAsync<SagaRequestException>(() => client.StartAsync("order", "o1", Harness.Input("other")));
        Assert.Equal("COMPLETED", (await client.ListAsync(null, null, 10, null)).Instances.Single().RuntimeStatus); // the refused start left the index right
        foreach (var step in Steps) Assert.Equal(1, _h.Downstream.Executions(step));

        Assert.Equal(SagaErrorCodes.UnknownSaga, (await Assert.ThrowsAsync<SagaRequestException>(() => client.StartAsync("nope", "o2", Harness.Input("o2")))).Code);
        Assert.Equal(SagaErrorCodes.InvalidInstanceId, (await Assert.ThrowsAsync<SagaRequestException>(() => client.StartAsync("order", "a/b", Harness.Input("o2")))).Code);
        Assert.Equal(SagaErrorCodes.InvalidInput, (await Assert.ThrowsAsync<SagaRequestException>(() => client.StartAsync("order", "o3", JsonDocument.Parse("[1]").RootElement))).Code);
    }

    [Fact]
    public async Task Reusing_a_finished_id_starts_a_new_generation_and_a_late_result_of_the_old_run_is_ignored()
    {
        var gate = new TaskCompletionSource();
        _h.Downstream.Behaviour["ship"] = (attempt, _) => _h.Downstream.Executions("ship") == 1 ? gate.Task : Task.CompletedTask;
        var old = _h.Engine("old", _saga);
        var client = _h.Client(old, _saga);
        await client.StartAsync("order", "o1", Harness.Input("o1"));
        var late = old.TickAsync("o1", default);
        await CrashRecoveryTests.Eventually(() => _h.Downstream.Executions("ship") == 1);
        await client.TerminateAsync("o1");
        var restarted = await client.StartAsync("order", "o1", Harness.Input("o1"), reuseFinished: true);
        Assert.True(restarted.Created);
        gate.SetResult();
        await late; // the old run's "ship" finishes now: its record must not touch generation 2

        var doc = await _h.DocumentAsync("o1");
        Assert.Equal(2, doc.Generation);
        Assert.Equal(SagaStatus.Pending, doc.Status);
        Assert.All(doc.Steps, s => Assert.Equal(StepState.Pending, s.State));
        await _h.Engine("new", _saga).RunDueAsync();
        Assert.Equal(SagaStatus.Completed, (await _h.DocumentAsync("o1")).Status);
        Assert.Equal(2, _h.Downstream.Applied("ship")); // one key per generation: o1/1/ship and o1/2/ship
    }

    [Fact]
    public async Task A_suspended_instance_is_skipped_buffers_events_and_continues_on_resume()
    {
        var saga = TestSagas.Linear("order", Steps, approval: (0, TimeSpan.FromHours(1)));
        var engine = _h.Engine("w", saga);
        var client = _h.Client(engine, saga);
        await client.StartAsync("order", "o1", Harness.Input("o1"));
        await client.PauseAsync("o1");
        await engine.TickAsync("o1", default);
        Assert.Empty(_h.Downstream.Calls);
        Assert.Equal(RaiseEventResult.Accepted, await client.RaiseEventAsync("o1", "approved", Harness.Json(new Approval("ann", true), TestJson.Default.Approval)));
        Assert.Equal(0, await engine.RunDueAsync());
        Assert.Equal(SagaStatus.Suspended, (await _h.DocumentAsync("o1")).Status);

        await client.ResumeAsync("o1");
        await engine.RunDueAsync();
        var doc = await _h.DocumentAsync("o1");
        Assert.Equal(SagaStatus.Completed, doc.Status);
        Assert.Equal(["ann"], Harness.Data(doc).Approvals);
        Assert.Equal(SagaErrorCodes.InvalidState, (await Assert.ThrowsAsync<SagaRequestException>(() => client.PauseAsync("o1"))).Code);
    }

    [Fact]
    public async Task An_instance_whose_definition_changed_stalls_with_the_reason_and_resumes_when_its_version_is_back()
    {
        var engine = _h.Engine("w", _saga);
        await _h.Client(engine, _saga).StartAsync("order", "o1", Harness.Input("o1"));
        var changed = TestSagas.Linear("order", ["reserve", "charge", "ship", "email"]);
        await _h.Engine("v2", changed).TickAsync("o1", default);
        var doc = await _h.DocumentAsync("o1");
        Assert.Equal(SagaStatus.Stalled, doc.Status);
        Assert.Contains(SagaErrorCodes.DefinitionMismatch, doc.CustomStatus, StringComparison.Ordinal);
        Assert.Empty(_h.Downstream.Calls);

        _h.Time.Advance(TimeSpan.FromMinutes(1));
        await _h.Engine("v1-again", _saga).RunDueAsync();
        Assert.Equal(SagaStatus.Completed, (await _h.DocumentAsync("o1")).Status);
    }

    [Fact]
    public async Task Purge_refuses_running_instances_removes_finished_ones_and_is_idempotent()
    {
        var engine = _h.Engine("w", _saga);
        var client = _h.Client(engine, _saga);
        await client.StartAsync("order", "o1", Harness.Input("o1"));
        Assert.Equal(SagaErrorCodes.InvalidState, (await Assert.ThrowsAsync<SagaRequestException>(() => client.PurgeAsync("o1"))).Code);
        await engine.RunDueAsync();
        Assert.True(await client.PurgeAsync("o1"));
        Assert.False(await client.PurgeAsync("o1"));
        Assert.Null(await client.GetAsync("o1"));
        Assert.Empty((await client.ListAsync(null, null, 10, null)).Instances);
        Assert.DoesNotContain(_h.Store.Keys, k => k == "saga:o1");
    }

    [Fact]
    public async Task A_store_outage_fails_ticks_without_marking_anything_failed_and_the_saga_finishes_when_it_is_back()
    {
        var engine = _h.Engine("w", _saga);
        await _h.Client(engine, _saga).StartAsync("order", "o1", Harness.Input("o1"));
        _h.Store.Down = true;
        await Assert.ThrowsAsync<IOException>(() => engine.RunDueAsync());
        _h.Store.Down = false;
        var doc = await _h.DocumentAsync("o1");
        Assert.Equal(SagaStatus.Pending, doc.Status);
        Assert.All(doc.Steps, s => Assert.Equal(0, s.Attempts));
        await engine.RunDueAsync();
        Assert.Equal(SagaStatus.Completed, (await _h.DocumentAsync("o1")).Status);
    }

    [Fact]
    public async Task A_worker_whose_clock_runs_a_few_seconds_ahead_does_not_take_a_lease_that_is_still_held()
    {
        var gate = new TaskCompletionSource();
        _h.Downstream.Behaviour["charge"] = (_, _) => gate.Task;
        var a = _h.Engine("a", _saga);
        await _h.Client(a, _saga).StartAsync("order", "o1", Harness.Input("o1"));
        var tick = a.TickAsync("o1", default);
        await CrashRecoveryTests.Eventually(() => _h.Downstream.Executions("charge") == 1);
        _h.Time.Advance(TimeSpan.FromSeconds(5)); // "b" sees a time 5 s later: well inside the 35 s lease
        await _h.Engine("b", _saga).TickAsync("o1", default);
        Assert.Equal(1, _h.Downstream.Executions("charge"));
        gate.SetResult();
        await tick;
        Assert.Equal(SagaStatus.Completed, (await _h.DocumentAsync("o1")).Status);
    }

    [Fact]
    public async Task Listing_filters_by_status_and_name_and_pages()
    {
        var other = TestSagas.Linear("refund", ["pay"]);
        var engine = _h.Engine("w", _saga, other);
        var client = _h.Client(engine, _saga, other);
        for (var i = 0; i < 5; i++) await client.StartAsync("order", $"o{i}", Harness.Input($"o{i}"));
        await client.StartAsync("refund", "r1", Harness.Input("r1"));
        await engine.TickAsync("o0", default);
        await engine.TickAsync("r1", default);

        var completed = await client.ListAsync([SagaStatus.Completed], "order", 10, null);
        Assert.Equal(["o0"], completed.Instances.Select(i => i.InstanceId));
        var first = await client.ListAsync([SagaStatus.Pending], null, 3, null);
        var second = await client.ListAsync([SagaStatus.Pending], null, 3, first.ContinuationToken);
        Assert.Equal(["o1", "o2", "o3", "o4"], first.Instances.Concat(second.Instances).Select(i => i.InstanceId).Order());
        Assert.Null(second.ContinuationToken);
        Assert.Equal(SagaErrorCodes.InvalidQuery, (await Assert.ThrowsAsync<SagaRequestException>(() => client.ListAsync(null, null, 0, null))).Code);
    }
}
