namespace Veltrix.AppHost.Hosting;

/// <summary>
/// A project of dapr.yaml as Aspire's project metadata, marked as already built: AppHost builds Veltrix.sln once before
/// anything starts (or the caller did, with --no-build), so DCP runs `dotnet run --no-build` instead of six builds of
/// the same solution racing each other.
/// </summary>
internal sealed class BuiltProject(string projectPath) : IProjectMetadata
{
    public string ProjectPath { get; } = projectPath;

    public bool SuppressBuild => true;
}
