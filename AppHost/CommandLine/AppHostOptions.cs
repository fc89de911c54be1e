namespace Veltrix.AppHost.CommandLine;

/// <summary>What the user asked for on the command line; paths already made absolute against the working directory.</summary>
public sealed record AppHostOptions
{
    public required string RunFile { get; init; }
    public string? ResourcesPath { get; init; }
    public bool NoBuild { get; init; }
    public bool UseDaprd { get; init; }
    public int PortOffset { get; init; }
    public string? LogDir { get; init; }
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromSeconds(90);
}
