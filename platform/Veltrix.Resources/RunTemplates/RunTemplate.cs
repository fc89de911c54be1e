using Veltrix.Resources.Diagnostics;

namespace Veltrix.Resources.RunTemplates;

/// <summary>
/// dapr.yaml as AppHost uses it: paths absolute, defaults applied, every field checked. <see cref="Warnings"/> name the
/// valid Dapr keys AppHost does not act on (VX4001 warnings, with the place they were written).
/// </summary>
public sealed record RunTemplate(
    string FilePath,
    IReadOnlyList<string> ResourcesPaths,
    IReadOnlyDictionary<string, string> CommonEnv,
    IReadOnlyList<TemplateApp> Apps,
    IReadOnlyList<Diagnostic> Warnings);

/// <summary>
/// One entry of `apps:`. <see cref="DaprHttpPort"/> and <see cref="DaprGrpcPort"/> are null when the file leaves them
/// to AppHost (which then takes free ports, as `dapr run -f` does).
/// </summary>
public sealed record TemplateApp(
    string AppId,
    string AppDirPath,
    int AppPort,
    int? DaprHttpPort,
    int? DaprGrpcPort,
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> Env)
{
    /// <summary>Where `appPort` is written (the file's full path), for findings that compare it with another place.</summary>
    public SourceLocation? AppPortLocation { get; init; }
}
