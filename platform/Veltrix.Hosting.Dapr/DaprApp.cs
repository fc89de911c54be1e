namespace Veltrix.Hosting.Dapr;

/// <summary>
/// One app as its sidecar serves it: the app's ID and port, and the sidecar's Dapr HTTP and gRPC API ports for it
/// (what `dapr run` calls --app-id, --app-port, --dapr-http-port and --dapr-grpc-port).
/// </summary>
public sealed record DaprApp(string AppId, int AppPort, int DaprHttpPort, int DaprGrpcPort);
