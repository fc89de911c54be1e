using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Veltrix.AppHost.Run;
using Veltrix.Testing;

namespace Veltrix.EndToEnd.Tests;

/// <summary>
/// AppHost inside the test process through Aspire's testing builder (`DistributedApplicationTestingBuilder`): AppHost's
/// own entry point runs with the run's arguments, and the testing builder takes over the application it builds — DCP
/// starts the same sidecar and services as `dotnet run --project AppHost`, and the test can reach Aspire's services
/// (the dashboard's login URL, resource commands).
/// </summary>
public sealed class AspireTestingHost : IRunHost
{
    private readonly DistributedApplication _app;
    private readonly string _logDir;

    private AspireTestingHost(DistributedApplication app, string logDir)
    {
        _app = app;
        _logDir = logDir;
    }

    /// <summary>The running application (Aspire's services, resource commands).</summary>
    public DistributedApplication Application => _app;

    public bool HasExited => _app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested;

    /// <summary>AppHost's console lines, which it also writes to `apphost.log` in the run's log folder.</summary>
    public string Output
    {
        get
        {
            var file = Path.Combine(_logDir, "apphost.log");
            return File.Exists(file) ? File.ReadAllText(file) : "(AppHost wrote no apphost.log)";
        }
    }

    /// <summary>Starts each launch in this process; <paramref name="dashboard"/> runs the Aspire dashboard too (it costs a process and a core's share).</summary>
    public static RunHostStarter Starter(bool dashboard = false) => launch => StartAsync(launch, dashboard);

    private static async Task<IRunHost> StartAsync(RunLaunch launch, bool dashboard)
    {
        // AppHost takes its tokens from its environment, and DCP — started by StartAsync — hands its environment to every
        // process it starts: in this process that is the process environment, so the run's variables are set for the
        // start and restored after. The end-to-end tests run one at a time (AssemblyInfo.cs): nothing else reads it then.
        var saved = launch.Environment.Keys.ToDictionary(name => name, Environment.GetEnvironmentVariable);
        foreach (var (name, value) in launch.Environment) Environment.SetEnvironmentVariable(name, value);
        DistributedApplication? app = null;
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<PreparedRun>(
                new DistributedApplicationTestingBuilderOptions { EnableDashboard = dashboard }, [.. launch.Arguments]);
            app = await builder.BuildAsync();
            using var start = new CancellationTokenSource(RunningSystem.StartTimeout);
            await app.StartAsync(start.Token);
            return new AspireTestingHost(app, launch.LogDir);
        }
        catch
        {
            if (app is not null) await app.DisposeAsync();
            throw;
        }
        finally
        {
            foreach (var (name, value) in saved) Environment.SetEnvironmentVariable(name, value);
        }
    }

    /// <summary>The dashboard's URL with its login token (the run must have been started with the dashboard).</summary>
    public Task<Uri> DashboardLoginUrlAsync(CancellationToken cancellationToken) => _app.GetDashboardUrlAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await _app.StopAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            // RunningSystem kills what is left
        }
        await _app.DisposeAsync();
        // AppHost sets the exit code when it stops a failed start (VX4005/VX4006); in the test process that code would
        // outlive the run and become the test host's. The test that saw the failure has failed already.
        Environment.ExitCode = 0;
    }
}
