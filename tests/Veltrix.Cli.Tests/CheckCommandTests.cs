using Veltrix.Testing;

namespace Veltrix.Cli.Tests;

/// <summary>`veltrix check` on the repository itself, and its exit codes: 0 clean (warnings only too), 1 errors, 2 could not run.</summary>
public sealed class CheckCommandTests
{
    [Fact]
    public async Task The_repository_itself_has_no_diagnostic_at_all()
    {
        var json = await CliRun.Of("check", RepositoryLayout.Root, "--format", "json");
        var text = await CliRun.Of("check", RepositoryLayout.Root);

        Assert.Equal(0, json.ExitCode);
        Assert.Empty(json.Diagnostics());
        Assert.Equal(0, text.ExitCode);
        Assert.Equal("no problems found", text.Output.Trim());
        Assert.Equal("", text.Error);
    }

    [Fact]
    public async Task Errors_exit_1()
    {
        using var corpusCase = CorpusCase.Lay("vx5020-misspelt-pubsub");

        var run = await CliRun.Of("check", corpusCase.Root);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error[VX5020]", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Warnings_only_exit_0()
    {
        using var corpusCase = CorpusCase.Lay("vx5024-nobody-consumes");

        var run = await CliRun.Of("check", corpusCase.Root, "--format", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["VX5024 warning events/shop.yaml:14:18"], run.Diagnostics());
    }

    [Fact]
    public async Task The_daprd_target_reports_in_memory_pubsub_between_apps_and_exits_1()
    {
        var dev = await CliRun.Of("check", RepositoryLayout.Root, "--target", "dev", "--format", "json");
        var daprd = await CliRun.Of("check", RepositoryLayout.Root, "--target", "daprd", "--format", "json");

        Assert.Equal(0, dev.ExitCode);
        Assert.Equal(1, daprd.ExitCode);
        // events/treasure-hunt.yaml: the four event types travel on 'pubsub' (lines 17, 36, 56, 76, value at column 15).
        Assert.Equal(
            [.. new[] { 17, 36, 56, 76 }.Select(line => $"VX5032 error events/treasure-hunt.yaml:{line}:15")],
            daprd.Diagnostics());
    }

    [Fact]
    public async Task A_missing_folder_exits_2_with_VX5090()
    {
        var missing = Path.Combine(Path.GetTempPath(), "veltrix-no-such-folder-" + Guid.NewGuid().ToString("N"));

        var run = await CliRun.Of("check", missing);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error[VX5090]", run.Error, StringComparison.Ordinal);
        Assert.Contains(missing, run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Output);
        run.AssertNoStackTrace();
    }

    [Theory]
    [InlineData("check", "--format", "xml")]
    [InlineData("check", "--target", "kubernetes")]
    [InlineData("check", "--no-such-option")]
    [InlineData("graph", "--format", "svg")]
    [InlineData("chekc")]
    public async Task A_bad_option_or_command_exits_2_with_VX5090(params string[] args)
    {
        var run = await CliRun.Of([.. args, RepositoryLayout.Root]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error[VX5090]", run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Output);
        run.AssertNoStackTrace();
    }
}
