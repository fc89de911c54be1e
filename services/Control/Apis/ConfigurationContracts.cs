using Veltrix.Events.Diffing;
using Veltrix.Events.Store;

namespace Veltrix.Control.Apis;

/// <summary>One diagnostic as JSON: what `veltrix check --format json` and a refused apply both return.</summary>
public sealed record DiagnosticView(string Code, string Severity, string File, int Line, int Column, string Message, string Help, PlaceView? Related = null);

/// <summary>The other place a finding about two places names (a duplicate, a conflict).</summary>
public sealed record PlaceView(string File, int Line, int Column);

public sealed record ApplyResult(string Name, int Version, bool Created, string Digest, IReadOnlyList<DiagnosticView> Warnings);

public sealed record ConfigurationSummary(string Name, int Latest, int? Active, IReadOnlyList<VersionSummary> Versions);

public sealed record ActiveView(string Name, int Version, DateTimeOffset ActivatedAt, IReadOnlyList<ActivationRecord> History);

public sealed record VersionView(string Name, int Version, DateTimeOffset AppliedAt, string Digest, bool Active, string Yaml);

public sealed record DiffView(string Name, int From, int To, ConfigurationDiff Diff, IReadOnlyList<string> NeedsRestart);

/// <summary>Body of activate and rollback: the version the operator saw active (`name@version`); null skips the comparison.</summary>
public sealed record ActivateRequest(string? ExpectedActive, bool Force = false);
