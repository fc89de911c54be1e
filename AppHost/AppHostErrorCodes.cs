namespace Veltrix.AppHost;

/// <summary>Every failure AppHost reports to a person has one of these codes (catalogue: docs/errors.md).</summary>
public static class AppHostErrorCodes
{
    // VX4001 (dapr.yaml cannot be used) is reported by the run-file reader in Veltrix.Resources (ErrorCodes.InvalidRunFile).

    /// <summary>`dotnet build Veltrix.sln` failed.</summary>
    public const string BuildFailed = "VX4002";

    /// <summary>A build output an app or the sidecar needs is missing (typically with --no-build).</summary>
    public const string BuildOutputMissing = "VX4003";

    /// <summary>A port of the run is already in use.</summary>
    public const string PortInUse = "VX4004";

    /// <summary>An app or its sidecar did not become healthy within --health-timeout.</summary>
    public const string NotHealthy = "VX4005";

    /// <summary>The sidecar exited during start-up (usually bad components; its own diagnostics are shown).</summary>
    public const string SidecarExited = "VX4006";

    /// <summary>--use-daprd was given but daprd is not on PATH.</summary>
    public const string DaprdNotFound = "VX4007";

    /// <summary>A bad AppHost command line.</summary>
    public const string InvalidCommandLine = "VX4008";

    /// <summary>An app's command could not be started (program not found, folder missing).</summary>
    public const string CommandNotStartable = "VX4009";

    /// <summary>The repository root (Veltrix.sln) was not found.</summary>
    public const string RepositoryNotFound = "VX4010";

    /// <summary>VELTRIX_OPERATOR_TOKEN is set but shorter than the minimum: refused before anything is built or started.</summary>
    public const string WeakOperatorToken = "VX4011";
}
