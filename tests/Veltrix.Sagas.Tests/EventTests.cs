namespace Veltrix.Sagas.Tests;

/// <summary>Reference cases 10 and 14: buffering, de-duplication, FIFO, ignored late events and wait timeouts.</summary>
public sealed class EventTests
{
    private static readonly string[] Steps = ["reserve", "charge", "ship"];
    private readonly Harness _h = new();
    private readonly SagaDefinition<OrderInput, OrderData> _saga = TestSagas.Linear("order", Steps, approval: (0, TimeSpan.FromMinutes(30)));

    private static System.Text.Json.JsonElement Approve(string by, bool approved = true) => Harness.Json(new Approval(by, approved), TestJson.Default.Approval);

    [Fact]
    public async Task An_event_raised_before_the_wait_is_buffered_and_consumed_and_a_duplicate_id_counts_once()
    {
        var engine = _h.Engine("w", _saga);
        var client = _h.Client(engine, _saga);
        await client.StartAsync("order", "o1", Harness.Input("o1"));
        Assert.Equal(RaiseEventResult.Accepted, await client.RaiseEventAsync("o1", "Approved", Approve("ann"), "evt-1"));
        Assert.Equal(RaiseEventResult.Duplicate, await client.RaiseEventAsync("o1", "Approved", Approve("ann"), "evt-1"));
        await engine.RunDueAsync();

        var doc = await _h.DocumentAsync("o1");
        Assert.Equal(SagaStatus.Completed, doc.Status);
        Assert.Equal(["ann"], Harness.Data(doc).Approvals);
        Assert.Empty(doc.Inbox);
        Assert.Equal(RaiseEventResult.Ignored, await client.RaiseEventAsync("o1", "Approved", Approve("bob"), "evt-2")); // after completion
    }

    [Fact]
    public async Task Events_of_one_name_are_consumed_first_in_first_out_and_a_waiting_instance_wakes_on_arrival()
    {
        var saga = SagaDefinition.Create("two-waits", TestJson.Default.OrderInput, TestJson.Default.OrderData, i => new OrderData { OrderId = i.OrderId })
            .WaitForEvent("first", "approved", TimeSpan.FromMinutes(5), TestJson.Default.Approval, (ctx, e) => ctx.Data.Approvals.Add(e.By))
            .WaitForEvent("second", "approved", TimeSpan.FromMinutes(5), TestJson.Default.Approval, (ctx, e) => ctx.Data.Approvals.Add(e.By))
            .Build();
        var engine = _h.Engine("w", saga);
        var client = _h.Client(engine, saga);
        await client.StartAsync("two-waits", "o1", Harness.Input("o1"));
        await engine.RunDueAsync();
        Assert.Equal(SagaStatus.Running, (await _h.DocumentAsync("o1")).Status);
        Assert.Empty(await engine.DueAsync(default)); // waiting: not due until the deadline

        await client.RaiseEventAsync("o1", "approved", Approve("ann"));
        await client.RaiseEventAsync("o1", "APPROVED", Approve("bob")); // names are case-insensitive
        await engine.RunDueAsync();
        var doc = await _h.DocumentAsync("o1");
        Assert.Equal(SagaStatus.Completed, doc.Status);
        Assert.Equal(["ann", "bob"], Harness.Data(doc).Approvals);
    }

    [Fact]
    public async Task A_wait_that_times_out_fails_the_saga_which_compensates_and_a_late_event_is_not_consumed()
    {
        var engine = _h.Engine("w", _saga);
        var client = _h.Client(engine, _saga);
        await client.StartAsync("order", "o1", Harness.Input("o1"));
        await engine.RunDueAsync();
        _h.Time.Advance(TimeSpan.FromMinutes(30));
        await engine.RunDueAsync();

        var doc = await _h.DocumentAsync("o1");
        Assert.Equal(SagaStatus.Compensated, doc.Status);
        Assert.Equal(SagaErrorCodes.EventTimedOut, doc.Failure!.Code);
        Assert.Equal("approval", doc.Failure.Step);
        Assert.Equal(["reserve", "undo reserve"], Harness.Data(doc).Done);
        Assert.Equal(RaiseEventResult.Ignored, await client.RaiseEventAsync("o1", "Approved", Approve("late")));
        Assert.Empty(Harness.Data(await _h.DocumentAsync("o1")).Approvals);
    }

    [Fact]
    public async Task An_event_that_rejects_fails_for_good_with_its_cause()
    {
        var engine = _h.Engine("w", _saga);
        var client = _h.Client(engine, _saga);
        await client.StartAsync("order", "o1", Harness.Input("o1"));
        await client.RaiseEventAsync("o1", "Approved", Approve("boss", approved: false));
        await engine.RunDueAsync();
        var doc = await _h.DocumentAsync("o1");
        Assert.Equal(SagaStatus.Compensated, doc.Status);
        Assert.Equal("VX9999", doc.Failure!.Code);
        Assert.Contains("rejected by boss", doc.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_inbox_is_bounded_and_events_for_unknown_instances_are_not_found()
    {
        _h.Options.MaxInboxEvents = 2;
        var engine = _h.Engine("w", _saga);
        var client = _h.Client(engine, _saga);
        await client.StartAsync("order", "o1", Harness.Input("o1"));
        await client.RaiseEventAsync("o1", "other", default);
        await client.RaiseEventAsync("o1", "other", default);
        var full = await Assert.ThrowsAsync<SagaRequestException>(() => client.RaiseEventAsync("o1", "other", default));
        Assert.Equal(SagaErrorCodes.InboxFull, full.Code);
        var missing = await Assert.ThrowsAsync<SagaRequestException>(() => client.RaiseEventAsync("nope", "other", default));
        Assert.Equal(SagaErrorCodes.InstanceNotFound, missing.Code);
    }
}
