using System.Diagnostics;
using System.Globalization;
using Veltrix.AppHost.Run;

namespace Veltrix.AppHost.Processes;

/// <summary>How an app is started: its command in its folder, with the environment `dapr run` gives apps plus the run's tokens.</summary>
public static class AppLaunch
{
    public static ProcessStartInfo StartInfo(PlannedApp app, RunTokens tokens)
    {
        var info = new ProcessStartInfo(app.Command[0])
        {
            WorkingDirectory = app.AppDirPath,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // the terminal's input belongs to AppHost
            UseShellExecute = false,
        };
        foreach (var arg in app.Command.Skip(1)) info.ArgumentList.Add(arg);

        var env = info.Environment;
        env["APP_ID"] = app.AppId;
        env["APP_PORT"] = Invariant(app.AppPort);
        env["APP_CHANNEL_ADDRESS"] = "127.0.0.1";
        env["APP_PROTOCOL"] = "http";
        // The official Dapr SDK finds its sidecar through these: gRPC for publish, state and workflows, HTTP for health
        // and service invocation.
        env["DAPR_HTTP_PORT"] = Invariant(app.DaprHttpPort);
        env["DAPR_GRPC_PORT"] = Invariant(app.DaprGrpcPort);
        env.Remove("DAPR_HTTP_ENDPOINT"); // each *_ENDPOINT would take precedence over its *_PORT in Dapr clients
        env.Remove("DAPR_GRPC_ENDPOINT");
        env["DAPR_API_TOKEN"] = tokens.DaprApiToken;
        env["APP_API_TOKEN"] = tokens.AppApiToken;
        env["VELTRIX_OPERATOR_TOKEN"] = tokens.OperatorToken;
        env["ASPNETCORE_ENVIRONMENT"] = "Development";
        env["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Invariant(app.AppPort)}";
        env["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in app.TemplateEnv) env[key] = value;
        return info;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
