using Veltrix.Resources.Diagnostics;

namespace Veltrix.AppHost.Template;

/// <summary>
/// dapr.yaml as AppHost uses it: paths absolute, defaults applied, every field checked. <see cref="Warnings"/> name the
/// valid Dapr keys AppHost does not act on (`file:line:col: warning: …`).
/// </summary>
public sealed record RunTemplate(
    string FilePath,
    IReadOnlyList<string> ResourcesPaths,
    IReadOnlyDictionary<string, string> CommonEnv,
    IReadOnlyList<TemplateApp> Apps,
    IReadOnlyList<RunFileWarning> Warnings);

/// <summary>One entry of `apps:`. <see cref="DaprHttpPort"/> is null when the file leaves it to AppHost.</summary>
public sealed record TemplateApp(
    string AppId,
    string AppDirPath,
    int AppPort,
    int? DaprHttpPort,
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> Env);

/// <summary>A valid Dapr run-file key AppHost does not act on, where it was written.</summary>
public sealed record RunFileWarning(SourceLocation Location, string Message)
{
    public override string ToString() => $"{Location}: warning: {Message}";
}
