namespace Veltrix.Testing;

/// <summary>Finds files of the repository from a test's output folder.</summary>
public static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    public static string Configuration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    /// <summary>The built dev sidecar's entry assembly; tests run it with `dotnet`, as AppHost does.</summary>
    public static string SidecarAssembly =>
        Path.Combine(Root, "platform", "Veltrix.Sidecar", "bin", Configuration, "net10.0", "Veltrix.Sidecar.dll");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Veltrix.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Veltrix.sln not found above " + AppContext.BaseDirectory);
    }
}
