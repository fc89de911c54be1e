namespace Veltrix.Events.Store;

/// <summary>One applied version of a named configuration: the YAML exactly as applied, never changed afterwards.</summary>
public sealed record StoredVersion(string Name, int Version, string Yaml, DateTimeOffset AppliedAt, string Digest);

/// <summary>The versions a name has, newest last; written with ETag compare-and-swap so two applies get distinct numbers.</summary>
public sealed record VersionIndex(string Name, IReadOnlyList<VersionSummary> Versions)
{
    public int Latest => Versions.Count == 0 ? 0 : Versions[^1].Version;
}

public sealed record VersionSummary(int Version, DateTimeOffset AppliedAt, string Digest, int EventTypes);

/// <summary>Which configuration version routes events now, and what was active before it (newest first).</summary>
public sealed record ActivePointer(string Name, int Version, DateTimeOffset ActivatedAt, IReadOnlyList<ActivationRecord> History);

public sealed record ActivationRecord(string Name, int Version, DateTimeOffset ActivatedAt);

/// <summary>What an app subscribed to when it started: written by the app, read by control before an activation.</summary>
public sealed record SubscriptionReport(string AppId, IReadOnlyList<SubscribedTopic> Topics, IReadOnlyList<string> HandledTypes, DateTimeOffset At);

public sealed record SubscribedTopic(string Type, string PubSub, string Topic);

/// <summary>The names configurations were applied under.</summary>
public sealed record ConfigurationNames(IReadOnlyList<string> Names);
