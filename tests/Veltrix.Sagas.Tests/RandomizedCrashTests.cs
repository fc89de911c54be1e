namespace Veltrix.Sagas.Tests;

/// <summary>
/// Crashes at random points of random steps, with restarts, until every instance is terminal: each step's effect is
/// applied once per key, completed sagas ran every step, compensated ones undid exactly what they did.
/// </summary>
public sealed class RandomizedCrashTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task Random_crashes_never_lose_or_double_an_effect(int seed)
    {
        var random = new Random(seed);
        var h = new Harness();
        string[] steps = ["a", "b", "c"];
        var saga = TestSagas.Linear("s", steps, _ => new StepOptions(new RetryPolicy(4, TimeSpan.FromSeconds(1)), CompensationRetry: new RetryPolicy(50, TimeSpan.FromSeconds(1))));
        h.Downstream.Behaviour["c"] = (_, _) => random.Next(3) == 0 ? throw new NonRetryableStepException("declined") : Task.CompletedTask;
        var client = h.Client(h.Engine("starter", saga), saga);
        for (var i = 0; i < 10; i++) await client.StartAsync("s", $"i{i}", Harness.Input($"i{i}"));

        var points = Enum.GetValues<SagaHookPoint>();
        for (var round = 0; round < 400; round++)
        {
            var engine = h.Engine($"w{round}", saga);
            var crashPoint = points[random.Next(points.Length)];
            var crashStep = steps[random.Next(steps.Length)];
            engine.Hook = (p, _, node) => p == crashPoint && node == crashStep && random.Next(4) == 0 ? throw new SimulatedCrash() : Task.CompletedTask;
            try
            {
                await engine.RunDueAsync();
            }
            catch (SimulatedCrash)
            {
            }
            h.Time.Advance(TimeSpan.FromSeconds(random.Next(1, 40)));
            var docs = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => h.DocumentAsync($"i{i}")));
            if (docs.All(d => d.IsTerminal)) break;
        }

        for (var i = 0; i < 10; i++)
        {
            var doc = await h.DocumentAsync($"i{i}");
            Assert.True(doc.IsTerminal, $"i{i} is {doc.Status}");
            var done = Harness.Data(doc).Done;
            if (doc.Status == SagaStatus.Completed) Assert.Equal(steps, done);
            else Assert.Equal(["a", "b", "undo b", "undo a"], done);
        }
        foreach (var step in steps) Assert.True(h.Downstream.Applied(step) <= 10);
        Assert.Equal(10, h.Downstream.Applied("a"));
        Assert.Equal(h.Downstream.Applied("compensate:a"), h.Downstream.Applied("compensate:b"));
    }
}
