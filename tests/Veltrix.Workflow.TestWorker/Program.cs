using Dapr.Client;
using Dapr.Workflow;
using Veltrix.Workflow.TestWorker;

// The workflow worker the crash tests start and kill -9. No HTTP server: the worker only dials the sidecar's gRPC port
// (DAPR_GRPC_PORT / DAPR_GRPC_ENDPOINT) with DAPR_API_TOKEN, and activities write state through the same sidecar.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSingleton(_ => new DaprClientBuilder().Build());
builder.Services.AddDaprWorkflow(CrashWorkflows.Register);
using var host = builder.Build();
await host.StartAsync();
Console.WriteLine("worker started"); // the worker's stream is opened by a hosted service; the first turn waits for it
await host.WaitForShutdownAsync();
