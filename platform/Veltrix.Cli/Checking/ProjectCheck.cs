using Veltrix.Events.Checks;
using Veltrix.Events.Model;
using Veltrix.Events.Reading;
using Veltrix.Resources;
using Veltrix.Resources.Components;
using Veltrix.Resources.Diagnostics;
using Veltrix.Resources.RunTemplates;
using Veltrix.Resources.Yaml;

namespace Veltrix.Cli.Checking;

/// <summary>Everything `veltrix check` found in a folder, and what it read (for `graph`).</summary>
public sealed record CheckResult(string Root, IReadOnlyList<Diagnostic> Diagnostics, IReadOnlyList<EventConfiguration> Configurations, IReadOnlyList<string>? Apps)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}

/// <summary>
/// Every static check over a project folder: dapr.yaml (the reader AppHost uses too), the Dapr resources it names (or
/// components/), events/*.yaml and the Kubernetes manifests of deploy/ — each on its own, then across them. Paths in diagnostics are relative to the
/// folder checked.
/// </summary>
public static class ProjectCheck
{
    public static CheckResult Run(string root, RuntimeTarget target)
    {
        root = Path.GetFullPath(root);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException(root);
        var diagnostics = new List<Diagnostic>();

        var (templateApps, resourcesPaths) = ReadRunFile(root, diagnostics);
        var apps = templateApps?.Select(a => a.AppId).ToList();
        resourcesPaths ??= Directory.Exists(Path.Combine(root, "components")) ? [Path.Combine(root, "components")] : [];
        var resources = ResourceLoader.Load(resourcesPaths, target == RuntimeTarget.Daprd ? ComponentSupport.Daprd : ComponentSupport.DevSidecar);
        diagnostics.AddRange(resources.Diagnostics);

        var configurations = ReadEvents(root, diagnostics);
        // Refused components (an unsupported type, a bad key) are reported already; checks run against the ones that loaded.
        var context = new CheckContext(resources.Components, resources.Resiliencies, resources.Subscriptions, apps, target);
        var sink = new DiagnosticSink(diagnostics);
        foreach (var configuration in configurations) EventConfigurationChecks.Check(configuration, context, sink);
        ProjectWideChecks.Check(configurations, context, sink);
        DeployCheck.Run(root, templateApps, configurations, resources.Components, diagnostics);

        var relative = diagnostics.Select(d => d with
            {
                Location = d.Location with { File = Relative(root, d.Location.File) },
                Related = d.Related is { } other ? other with { File = Relative(root, other.File) } : null,
            })
            .Distinct()
            .OrderBy(d => d.Location.File, StringComparer.Ordinal).ThenBy(d => d.Location.Line).ThenBy(d => d.Location.Column).ThenBy(d => d.Code, StringComparer.Ordinal)
            .ToList();
        return new CheckResult(root, relative, configurations, apps);
    }

    private static (IReadOnlyList<TemplateApp>? Apps, IReadOnlyList<string>? ResourcesPaths) ReadRunFile(string root, List<Diagnostic> diagnostics)
    {
        var file = Path.Combine(root, "dapr.yaml");
        if (!File.Exists(file)) return (null, null);
        try
        {
            var template = RunTemplateReader.Read(file);
            diagnostics.AddRange(template.Warnings.Select(w => InFile(file, w)));
            return (template.Apps, template.ResourcesPaths.Count > 0 ? template.ResourcesPaths : null);
        }
        catch (DiagnosticException problems)
        {
            diagnostics.AddRange(problems.Diagnostics.Select(d => InFile(file, d)));
        }
        return (null, null);
    }

    private static List<EventConfiguration> ReadEvents(string root, List<Diagnostic> diagnostics)
    {
        var folder = Path.Combine(root, "events");
        var configurations = new List<EventConfiguration>();
        var files = Directory.Exists(folder) ? ResourceFileReader.FindFiles(folder) : [];
        var sink = new DiagnosticSink(diagnostics);
        var before = diagnostics.Count;
        var documents = 0;
        foreach (var file in files)
        {
            foreach (var raw in ResourceFileReader.ReadFile(file, diagnostics))
            {
                documents++;
                if (EventConfigurationReader.Read(raw, sink) is { } configuration) configurations.Add(configuration);
            }
        }
        // No file, or only empty ones: nothing is declared. (A file that is not YAML is reported already.)
        if (documents == 0 && diagnostics.Count == before)
            diagnostics.Add(new Diagnostic(EventErrorCodes.NoEventConfiguration, DiagnosticSeverity.Warning, SourceLocation.Start(folder),
                "no EventConfiguration found under events/: producers and consumers cannot be checked against each other",
                "declare the system's events in events/<name>.yaml (docs/event-configuration.md)"));
        foreach (var twice in configurations.GroupBy(c => c.Name).Where(g => g.Count() > 1))
            foreach (var later in twice.Skip(1))
                sink.Error(EventErrorCodes.DuplicateConfigurationName, later.NameLocation ?? later.Location!, $"configuration name '{later.Name}' is already used by another EventConfiguration",
                    "give each EventConfiguration its own metadata.name; versions are stored per name", twice.First().NameLocation ?? twice.First().Location);
        return configurations;
    }

    // The reader names the file as the user typed it (relative to the working directory); the checked folder's path is what stays stable.
    private static Diagnostic InFile(string file, Diagnostic diagnostic) => diagnostic with
    {
        Location = diagnostic.Location with { File = file },
        Related = diagnostic.Related is { } other ? other with { File = file } : null,
    };

    private static string Relative(string root, string file)
    {
        var full = Path.GetFullPath(file, root);
        var relative = Path.GetRelativePath(root, full);
        return relative.StartsWith("..", StringComparison.Ordinal) ? full : relative.Replace('\\', '/');
    }
}
