using System.Globalization;
using Dapr.Workflow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Veltrix.Testing;

namespace Veltrix.Workflow.Conformance.Tests;

/// <summary>
/// One workflow conformance setup: an actor state store (SQLite file or PostgreSQL tables of its own), the dev sidecar
/// as a real process, and a small host running the official Dapr.Workflow worker (<see cref="TestWorkflows"/>) with
/// `DAPR_GRPC_ENDPOINT` on the sidecar's gRPC port. <see cref="RestartSidecarAsync"/> kills the sidecar with SIGKILL and
/// starts it again on the same ports and state, while the worker keeps running.
/// </summary>
public sealed class WorkflowHarness : IAsyncDisposable
{
    private readonly List<string> _arguments;
    private readonly Dictionary<string, string?> _environment;
    private readonly List<IHost> _stopped = [];
    private IHost _worker;

    private WorkflowHarness(string appId, ResourcesFolder resources, SidecarProcess sidecar, List<string> arguments, Dictionary<string, string?> environment, IHost worker)
    {
        AppId = appId;
        Resources = resources;
        Sidecar = sidecar;
        _arguments = arguments;
        _environment = environment;
        _worker = worker;
        Client = worker.Services.GetRequiredService<DaprWorkflowClient>();
    }

    public string AppId { get; }
    public ResourcesFolder Resources { get; }
    public SidecarProcess Sidecar { get; private set; }
    public DaprWorkflowClient Client { get; }

    public static TheoryData<string> Stores => new("sqlite", "postgresql");

    public static string ActorStore(string kind, ResourcesFolder folder) => kind switch
    {
        "sqlite" => Yaml.SqliteState("wfstore", Path.Combine(folder.Path, "state.db")),
        "postgresql" => Yaml.PostgresState("wfstore", $"wf_{Guid.NewGuid():N}"[..18] + "_"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown state backend"),
    } + "\n    - name: actorStateStore\n      value: \"true\"\n";

    /// <param name="withWorker">False: the host in this process runs only <see cref="Client"/>; the test brings the worker
    /// (its own raw gRPC calls, or a <see cref="WorkerProcess"/>).</param>
    /// <param name="environment">Extra environment of the sidecar process (kept across <see cref="RestartSidecarAsync"/>).</param>
    /// <param name="apiToken">Given: the sidecar requires it (DAPR_API_TOKEN) and <see cref="Client"/> sends it.</param>
    public static async Task<WorkflowHarness> StartAsync(string store, IEnumerable<string>? extraArguments = null, bool actorStore = true, bool withWorker = true,
        IDictionary<string, string?>? environment = null, string? apiToken = null)
    {
        var resources = new ResourcesFolder();
        try
        {
            resources.Write("state.yaml", actorStore ? ActorStore(store, resources) : Yaml.SqliteState("wfstore", Path.Combine(resources.Path, "state.db")));
            var appId = "wf-" + Guid.NewGuid().ToString("N")[..8];
            var (http, grpc) = (FreePort.Next(), FreePort.Next());
            while (grpc == http) grpc = FreePort.Next();
            var arguments = new List<string>
            {
                "--app-id", appId, "--dapr-http-port", http.ToString(CultureInfo.InvariantCulture),
                "--dapr-grpc-port", grpc.ToString(CultureInfo.InvariantCulture), "--resources-path", resources.Path,
            };
            arguments.AddRange(extraArguments ?? []);
            var sidecarEnvironment = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>(), StringComparer.Ordinal);
            if (apiToken is not null) sidecarEnvironment["DAPR_API_TOKEN"] = apiToken;
            var sidecar = await StartSidecarAsync(arguments, sidecarEnvironment, http);
            var worker = await StartWorkerAsync(sidecar.GrpcAddress, withWorker, apiToken);
            return new WorkflowHarness(appId, resources, sidecar, arguments, sidecarEnvironment, worker);
        }
        catch
        {
            resources.Dispose();
            throw;
        }
    }

    /// <summary>kill -9, then the same command line again: same ports, same state file or tables.</summary>
    public async Task RestartSidecarAsync()
    {
        Sidecar.Kill();
        await Sidecar.DisposeAsync();
        Sidecar = await StartSidecarAsync(_arguments, _environment, Sidecar.HttpPort);
    }

    /// <summary>
    /// Stops the worker (its work-item stream ends) and starts a new worker host on the same sidecar. The stopped host
    /// is kept, not disposed, until the harness is: <see cref="Client"/> lives in its services.
    /// </summary>
    public async Task RestartWorkerAsync()
    {
        await _worker.StopAsync(TimeSpan.FromSeconds(5));
        _stopped.Add(_worker);
        _worker = await StartWorkerAsync(Sidecar.GrpcAddress, apiToken: _environment.GetValueOrDefault("DAPR_API_TOKEN"));
    }

    private static async Task<SidecarProcess> StartSidecarAsync(List<string> arguments, Dictionary<string, string?> environment, int httpPort)
    {
        var sidecar = SidecarProcess.Start(arguments, environment, httpPort);
        try
        {
            await sidecar.WaitUntilHealthyAsync();
            return sidecar;
        }
        catch
        {
            await sidecar.DisposeAsync();
            throw;
        }
    }

    private static async Task<IHost> StartWorkerAsync(Uri grpcAddress, bool withWorker = true, string? apiToken = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["DAPR_GRPC_ENDPOINT"] = grpcAddress.ToString().TrimEnd('/');
        if (apiToken is not null) builder.Configuration["DAPR_API_TOKEN"] = apiToken;
        builder.Configuration["DAPR_HTTP_ENDPOINT"] = "http://127.0.0.1:1"; // never used by workflows
        builder.Logging.ClearProviders();
        builder.Services.AddDaprWorkflow(TestWorkflows.Register);
        if (!withWorker) builder.Services.RemoveAll<IHostedService>(); // the client only: the test plays the worker itself
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    public async Task<WorkflowState> RunAsync(string workflow, object? input, string? instanceId = null)
    {
        var id = await Client.ScheduleNewWorkflowAsync(workflow, instanceId ?? NewId(), input);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await Client.WaitForWorkflowCompletionAsync(id, true, deadline.Token);
    }

    public async Task UntilStatusAsync(string instanceId, WorkflowRuntimeStatus status, TimeSpan? timeout = null) =>
        await Eventually.UntilAsync(async () => (await Client.GetWorkflowStateAsync(instanceId, false)).RuntimeStatus == status,
            $"{instanceId} {status}", timeout ?? TimeSpan.FromSeconds(30));

    public static string NewId() => "t" + Guid.NewGuid().ToString("N")[..12];

    public async ValueTask DisposeAsync()
    {
        await _worker.StopAsync(TimeSpan.FromSeconds(5));
        _worker.Dispose();
        foreach (var stopped in _stopped) stopped.Dispose();
        await Sidecar.DisposeAsync();
        Resources.Dispose();
    }
}
