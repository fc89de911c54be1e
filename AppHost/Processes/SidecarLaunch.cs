using System.Diagnostics;
using System.Globalization;
using Veltrix.AppHost.Run;

namespace Veltrix.AppHost.Processes;

/// <summary>How sidecars are started: one dev sidecar for every app, or (with --use-daprd) one daprd per app.</summary>
public static class SidecarLaunch
{
    /// <summary>`dotnet Veltrix.Sidecar.dll --app id=…,app-port=…,dapr-http-port=…,dapr-grpc-port=… … --resources-path …`, in the repository root.</summary>
    public static ProcessStartInfo DevSidecar(RunPlan plan, RunTokens tokens)
    {
        var info = Base("dotnet", plan.RepositoryRoot, tokens);
        info.ArgumentList.Add(plan.SidecarAssembly);
        foreach (var app in plan.Apps)
        {
            info.ArgumentList.Add("--app");
            info.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"id={app.AppId},app-port={app.AppPort},dapr-http-port={app.DaprHttpPort},dapr-grpc-port={app.DaprGrpcPort}"));
        }
        AddResources(info, plan);
        return info;
    }

    /// <summary>`daprd --app-id … --app-port … --dapr-http-port … --dapr-grpc-port … --resources-path …` for one app.</summary>
    public static ProcessStartInfo Daprd(string daprd, RunPlan plan, PlannedApp app, int metricsPort, RunTokens tokens)
    {
        var info = Base(daprd, plan.RepositoryRoot, tokens);
        foreach (var arg in (string[])
                 [
                     "--app-id", app.AppId, "--app-port", Invariant(app.AppPort), "--dapr-http-port", Invariant(app.DaprHttpPort),
                     "--dapr-grpc-port", Invariant(app.DaprGrpcPort), "--metrics-port", Invariant(metricsPort),
                     "--app-channel-address", "127.0.0.1",
                 ])
            info.ArgumentList.Add(arg);
        AddResources(info, plan);
        return info;
    }

    private static ProcessStartInfo Base(string program, string workingDirectory, RunTokens tokens)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.Environment["DAPR_API_TOKEN"] = tokens.DaprApiToken;
        info.Environment["APP_API_TOKEN"] = tokens.AppApiToken;
        info.Environment.Remove("ASPNETCORE_URLS");
        info.Environment.Remove("ASPNETCORE_HTTP_PORTS");
        return info;
    }

    private static void AddResources(ProcessStartInfo info, RunPlan plan)
    {
        foreach (var path in plan.ResourcesPaths)
        {
            info.ArgumentList.Add("--resources-path");
            info.ArgumentList.Add(path);
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
