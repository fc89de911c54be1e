using Veltrix.Resources.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace Veltrix.Resources.Yaml;

/// <summary>One YAML document of a resources folder, before it is understood as a Component, Subscription, ….</summary>
public sealed record RawResource(string File, string? ApiVersion, string? Kind, YamlMappingNode Root)
{
    public SourceLocation Location => Root.At(File);
}
