namespace Veltrix.Sidecar.Components.State.Postgres;

/// <summary>The VX codes `state.postgresql` emits (documented in docs/errors.md).</summary>
internal static class PostgresErrors
{
    /// <summary>The server cannot be reached (or refuses the login) when the sidecar starts.</summary>
    public const string Unreachable = "VX2030";

    /// <summary>tablePrefix or metadataTableName is not a plain SQL identifier.</summary>
    public const string InvalidTable = "VX2031";

    /// <summary>`version: v1` (the jsonb/xmin layout), which the dev sidecar does not implement.</summary>
    public const string UnsupportedVersion = "VX2032";
}
