using System.Diagnostics;

namespace Veltrix.AppHost.Build;

/// <summary>
/// Builds the whole solution once per configuration the run needs (AppHost's own, for the dev sidecar, and each
/// app's `-c`), quietly, so every app can then start with `dotnet run --no-build`.
/// </summary>
public static class SolutionBuild
{
    public static async Task RunAsync(string repositoryRoot, IEnumerable<string> configurations, CancellationToken cancel)
    {
        foreach (var configuration in configurations.Distinct(StringComparer.OrdinalIgnoreCase))
            await BuildAsync(repositoryRoot, configuration, cancel);
    }

    private static async Task BuildAsync(string repositoryRoot, string configuration, CancellationToken cancel)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = repositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["build", "Veltrix.sln", "-c", configuration, "-nologo", "-v", "quiet"]) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancel);
        var stderr = process.StandardError.ReadToEndAsync(cancel);
        try
        {
            await process.WaitForExitAsync(cancel);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var output = (await stdout) + "\n" + (await stderr);
        if (process.ExitCode == 0) return;

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var errors = lines.Where(l => l.Contains(": error ", StringComparison.Ordinal)).Distinct().ToList();
        var shown = (errors.Count > 0 ? errors : lines.ToList()).TakeLast(15).ToList();
        throw new AppHostError(AppHostErrorCodes.BuildFailed,
            $"`dotnet build Veltrix.sln -c {configuration}` failed (exit code {process.ExitCode}){(errors.Count > shown.Count ? $"; last {shown.Count} of {errors.Count} errors" : "")}:",
            $"fix the errors above (run `dotnet build Veltrix.sln -c {configuration}` to see everything), then start AppHost again",
            details: string.Join('\n', shown));
    }
}
