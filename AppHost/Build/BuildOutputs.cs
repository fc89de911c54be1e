using Veltrix.Resources.RunTemplates;

namespace Veltrix.AppHost.Build;

/// <summary>
/// Checks, before anything starts, that what will be run exists: the dev sidecar's assembly and each app's built
/// assembly (`dotnet run --no-build` in a project folder, or `dotnet some.dll`).
/// </summary>
public static class BuildOutputs
{
    public static string Configuration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    public static string SidecarAssembly(string repositoryRoot) =>
        Path.Combine(repositoryRoot, "platform", "Veltrix.Sidecar", "bin", Configuration, "net10.0", "Veltrix.Sidecar.dll");

    public static void Check(string repositoryRoot, RunTemplate template, bool useDaprd, bool noBuild)
    {
        var missing = new List<string>();
        if (!useDaprd && !File.Exists(SidecarAssembly(repositoryRoot))) missing.Add($"dev sidecar: {SidecarAssembly(repositoryRoot)}");
        foreach (var app in template.Apps)
            if (ExpectedAssembly(app) is { } assembly && !File.Exists(assembly)) missing.Add($"{app.AppId}: {assembly}");
        if (missing.Count == 0) return;
        throw new AppHostError(AppHostErrorCodes.BuildOutputMissing,
            $"{missing.Count} build output(s) missing:",
            noBuild
                ? "run without --no-build (AppHost then builds Veltrix.sln first), or run `dotnet build Veltrix.sln`"
                : "make sure the project is part of Veltrix.sln (`dotnet sln Veltrix.sln add …`) and builds to bin/" + Configuration + "/net10.0",
            details: string.Join('\n', missing));
    }

    /// <summary>The configurations to build: AppHost's own (the dev sidecar runs from it) and each app's `-c`.</summary>
    public static IEnumerable<string> ConfigurationsToBuild(RunTemplate template) =>
        template.Apps.Select(AppConfiguration).OfType<string>().Prepend(Configuration);

    /// <summary>The configuration `dotnet run` uses for an app (its `-c`, else Debug); null for other commands.</summary>
    private static string? AppConfiguration(TemplateApp app) =>
        app.Command.Count >= 2 && Path.GetFileNameWithoutExtension(app.Command[0]) == "dotnet" && app.Command[1] == "run"
            ? app.Command.SkipWhile(a => a is not ("-c" or "--configuration")).Skip(1).FirstOrDefault() ?? "Debug"
            : null;

    private static string? ExpectedAssembly(TemplateApp app)
    {
        var command = app.Command;
        if (command.Count < 2 || Path.GetFileNameWithoutExtension(command[0]) != "dotnet") return null;
        if (command[1].EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) return Path.GetFullPath(command[1], app.AppDirPath);
        if (command[1] != "run" || command.Contains("--project")) return null;
        var project = Directory.GetFiles(app.AppDirPath, "*.csproj").SingleOrDefault();
        if (project is null) return null;
        return Path.Combine(app.AppDirPath, "bin", AppConfiguration(app) ?? "Debug", "net10.0", AssemblyName(project) + ".dll");
    }

    /// <summary>The project's &lt;AssemblyName&gt; when it sets one, else the project file's name (MSBuild's default).</summary>
    private static string AssemblyName(string project)
    {
        try
        {
            var name = System.Xml.Linq.XDocument.Load(project).Descendants()
                .FirstOrDefault(e => e.Name.LocalName == "AssemblyName")?.Value.Trim();
            if (!string.IsNullOrEmpty(name) && !name.Contains("$(", StringComparison.Ordinal)) return name;
        }
        catch (System.Xml.XmlException)
        {
            // the build reports a broken project file better than we could
        }
        return Path.GetFileNameWithoutExtension(project);
    }
}
