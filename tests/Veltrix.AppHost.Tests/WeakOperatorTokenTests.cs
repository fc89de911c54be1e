using static Veltrix.AppHost.Tests.AppHostRun;

namespace Veltrix.AppHost.Tests;

/// <summary>Issue 16: the operator token has a minimum strength, and AppHost refuses a weaker one before anything runs.</summary>
public sealed class WeakOperatorTokenTests
{
    [Fact]
    public async Task A_short_operator_token_is_VX4011_and_nothing_starts()
    {
        await using var run = Start(RunFile("", FakeApp("alpha", Veltrix.Testing.FreePort.Next(), Veltrix.Testing.FreePort.Next())),
            environment: new Dictionary<string, string> { ["VELTRIX_OPERATOR_TOKEN"] = "short" });

        Assert.Equal(1, await run.WaitForExitAsync());
        Assert.Contains("error VX4011:", run.Output, StringComparison.Ordinal);
        Assert.Contains("VELTRIX_OPERATOR_TOKEN has 5 characters", run.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(run.RunJsonPath), "nothing should have been started");
    }
}
