using System.Text.RegularExpressions;
using Npgsql;
using Veltrix.Resources.Components;

namespace Veltrix.Sidecar.Components.State.Postgres;

/// <summary>
/// `state.postgresql` metadata as daprd reads it: `connectionString` (Npgsql `Key=Value;…`, libpq `key=value …` or a
/// `postgres://` URL) or host/port/database/user/password, `tablePrefix`, `metadataTableName`, `timeout` and
/// `cleanupInterval` (1h by default; 0 or negative switches the TTL clean-up off).
/// </summary>
internal sealed partial record PostgresSettings(
    string ConnectionString, string StateTable, string MetadataTable, string TablePrefix, TimeSpan Timeout, TimeSpan? CleanupInterval)
{
    /// <summary>How long start-up waits for the server (daprd's default initTimeout).</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    public string Endpoint
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
            return $"{builder.Host ?? "localhost"}:{(builder.Port > 0 ? builder.Port : 5432)} database {builder.Database ?? builder.Username ?? "(default)"}";
        }
    }

    public static PostgresSettings Read(ComponentResource resource)
    {
        var prefix = resource.Get("tablePrefix") ?? "";
        var metadataTable = resource.Get("metadataTableName") is { Length: > 0 } m ? m : "dapr_metadata";
        if (!Identifier().IsMatch(prefix + "state") || !Identifier().IsMatch(metadataTable))
            throw new InvalidOperationException($"{PostgresErrors.InvalidTable}: tablePrefix '{prefix}' and metadataTableName '{metadataTable}' may hold only letters, digits, underscores and one schema dot");
        var timeout = GoDuration.TryParse(resource.Get("timeout"), out var t) && t > TimeSpan.Zero ? t : TimeSpan.FromSeconds(20);
        TimeSpan? cleanup = TimeSpan.FromHours(1);
        if (resource.Get("cleanupInterval") is { Length: > 0 } text)
            cleanup = text.Trim().StartsWith('-') || (GoDuration.TryParse(text, out var c) && c == TimeSpan.Zero) ? null : GoDuration.TryParse(text, out c) ? c : cleanup;
        var builder = new NpgsqlConnectionStringBuilder(ToNpgsql(resource));
        if (!ExplicitTimeout(resource)) builder.Timeout = (int)ConnectTimeout.TotalSeconds;
        builder.CommandTimeout = Math.Max(1, (int)timeout.TotalSeconds);
        builder.ApplicationName ??= "veltrix-sidecar";
        return new PostgresSettings(builder.ConnectionString, prefix + "state", metadataTable, prefix, timeout, cleanup);
    }

    private static bool ExplicitTimeout(ComponentResource resource) =>
        (resource.Get("connectionString") ?? "").Contains("timeout", StringComparison.OrdinalIgnoreCase);

    /// <summary>daprd (pgx) takes libpq strings and URLs; Npgsql takes its own `Key=Value;` form. Converts the first two.</summary>
    internal static string ToNpgsql(ComponentResource resource)
    {
        var text = resource.Get("connectionString")?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            var fields = new NpgsqlConnectionStringBuilder { Host = resource.Get("host") ?? "localhost" };
            if (int.TryParse(resource.Get("port"), out var port)) fields.Port = port;
            if (resource.Get("database") is { Length: > 0 } database) fields.Database = database;
            if (resource.Get("user") is { Length: > 0 } user) fields.Username = user;
            if (resource.Get("password") is { Length: > 0 } password) fields.Password = password;
            return fields.ConnectionString;
        }
        if (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            var uri = new Uri(text);
            var fields = new NpgsqlConnectionStringBuilder { Host = uri.Host };
            if (uri.Port > 0) fields.Port = uri.Port;
            var credentials = uri.UserInfo.Split(':', 2);
            if (credentials[0].Length > 0) fields.Username = Uri.UnescapeDataString(credentials[0]);
            if (credentials.Length > 1) fields.Password = Uri.UnescapeDataString(credentials[1]);
            if (uri.AbsolutePath.Trim('/') is { Length: > 0 } path) fields.Database = Uri.UnescapeDataString(path);
            foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = pair.Split('=', 2);
                if (parts.Length == 2) Apply(fields, parts[0], Uri.UnescapeDataString(parts[1]));
            }
            return fields.ConnectionString;
        }
        if (!text.Contains(';') && LibpqPair().IsMatch(text))
        {
            var fields = new NpgsqlConnectionStringBuilder();
            foreach (Match pair in LibpqPair().Matches(text)) Apply(fields, pair.Groups[1].Value, pair.Groups[2].Value.Trim('\''));
            return fields.ConnectionString;
        }
        return text;
    }

    private static void Apply(NpgsqlConnectionStringBuilder fields, string key, string value)
    {
        switch (key.ToLowerInvariant())
        {
            case "host": fields.Host = value; break;
            case "port": fields.Port = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "user": fields.Username = value; break;
            case "password": fields.Password = value; break;
            case "dbname" or "database": fields.Database = value; break;
            case "connect_timeout": fields.Timeout = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "sslmode": fields.SslMode = Enum.Parse<SslMode>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true); break;
            case "application_name": fields.ApplicationName = value; break;
            default: break; // pgx pool settings (pool_max_conns, …) have no Npgsql twin worth mapping here
        }
    }

    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*\.)?[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"(\w+)=('[^']*'|\S+)")]
    private static partial Regex LibpqPair();
}
