namespace Veltrix.AppHost.Build;

/// <summary>The folder holding Veltrix.sln: searched upwards from the run file, then the working directory, then AppHost itself.</summary>
public static class RepositoryRoot
{
    public static string Find(string runFile)
    {
        foreach (var start in new[] { Path.GetDirectoryName(runFile)!, Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            if (Above(start) is { } root) return root;
        throw new AppHostError(AppHostErrorCodes.RepositoryNotFound,
            $"Veltrix.sln was not found above {Path.GetDirectoryName(runFile)} or {Directory.GetCurrentDirectory()}",
            "run AppHost from inside the Veltrix repository (it builds Veltrix.sln and starts the dev sidecar from it)");
    }

    private static string? Above(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Veltrix.sln"))) return dir.FullName;
        return null;
    }
}
