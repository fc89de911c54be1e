using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Veltrix.Resources.Components;

namespace Veltrix.Sidecar.Components.State;

/// <summary>
/// `state.sqlite`: one table shaped like daprd's (key, value, is_binary, etag, expiration_time, update_time), so a
/// file written here can be read by daprd and back. SQLite has one writer at a time, so this store serialises its
/// work on one connection rather than contending for the file lock.
/// </summary>
public sealed partial class SqliteStateStore(ComponentResource resource, ComponentContext context) : IStateStore
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _connection;
    private string _table = "state";
    private int _timeoutSeconds = 20;

    public ComponentResource Resource => resource;
    public IReadOnlyList<string> Features { get; } = ["ETAG", "TRANSACTIONAL", "TTL", "ACTOR"];

    public async Task InitAsync(CancellationToken cancellationToken)
    {
        _table = resource.Get("tableName") ?? "state";
        if (!TableName().IsMatch(_table))
            throw new InvalidOperationException($"tableName '{_table}' may hold only letters, digits and underscores");
        if (GoDuration.TryParse(resource.Get("timeout"), out var timeout)) _timeoutSeconds = Math.Max(1, (int)timeout.TotalSeconds);
        var busy = GoDuration.TryParse(resource.Get("busyTimeout"), out var b) ? b : TimeSpan.FromSeconds(2);

        _connection = new SqliteConnection(ToConnectionString(resource.Get("connectionString")!));
        await _connection.OpenAsync(cancellationToken);
        var wal = !(bool.TryParse(resource.Get("disableWAL"), out var disable) && disable);
        // WAL with synchronous=NORMAL: a commit survives the process dying (the WAL is written before the commit
        // returns) without an fsync per transaction; only an OS crash can lose the last commits.
        await ExecuteAsync($"PRAGMA busy_timeout = {(int)busy.TotalMilliseconds};" + (wal ? "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;" : ""), cancellationToken);
        await ExecuteAsync(
            $"CREATE TABLE IF NOT EXISTS {_table} (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL, is_binary BOOLEAN NOT NULL, " +
            "etag TEXT NOT NULL, expiration_time TIMESTAMP DEFAULT NULL, update_time TIMESTAMP DEFAULT NULL)", cancellationToken);
    }

    public async Task<StoredState?> GetAsync(string key, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await ReadAsync(key, null, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task ApplyAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var transaction = (SqliteTransaction)await _connection!.BeginTransactionAsync(cancellationToken);
            foreach (var operation in operations)
            {
                var current = await ReadAsync(operation.Key, transaction, cancellationToken);
                ETagRules.Check(operation, current?.ETag);
                await using var command = _connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandTimeout = _timeoutSeconds;
                command.Parameters.AddWithValue("$key", operation.Key);
                if (operation is UpsertOperation upsert)
                {
                    var now = context.Time.GetUtcNow();
                    var (text, binary) = Encode(upsert.Value);
                    command.CommandText =
                        $"INSERT INTO {_table} (key, value, is_binary, etag, expiration_time, update_time) VALUES ($key, $value, $binary, $etag, $expires, $now) " +
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, is_binary = excluded.is_binary, etag = excluded.etag, " +
                        "expiration_time = excluded.expiration_time, update_time = excluded.update_time";
                    command.Parameters.AddWithValue("$value", text);
                    command.Parameters.AddWithValue("$binary", binary);
                    command.Parameters.AddWithValue("$etag", ETagRules.NewETag());
                    command.Parameters.AddWithValue("$expires", upsert.Ttl is { } ttl ? Timestamp(now + ttl) : DBNull.Value);
                    command.Parameters.AddWithValue("$now", Timestamp(now));
                }
                else
                {
                    command.CommandText = $"DELETE FROM {_table} WHERE key = $key";
                }
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<StoredState?> ReadAsync(string key, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = _connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandTimeout = _timeoutSeconds;
        command.CommandText = $"SELECT value, is_binary, etag, expiration_time FROM {_table} WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        DateTimeOffset? expires = reader.IsDBNull(3)
            ? null
            : DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        if (expires is { } at && at <= context.Time.GetUtcNow()) return null; // expired rows read as missing
        var value = reader.GetBoolean(1) ? Convert.FromBase64String(reader.GetString(0)) : Encoding.UTF8.GetBytes(reader.GetString(0));
        return new StoredState(value, reader.GetString(2), expires);
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = _connection!.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // Values arrive as JSON text; anything that is not valid UTF-8 is kept as base64, as daprd does.
    private static (string Text, bool Binary) Encode(byte[] value)
    {
        try
        {
            return (new UTF8Encoding(false, true).GetString(value), false);
        }
        catch (DecoderFallbackException)
        {
            return (Convert.ToBase64String(value), true);
        }
    }

    private static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);

    /// <summary>daprd takes a file path, a `file:` URI or `:memory:`; Microsoft.Data.Sqlite wants `Data Source=…`.</summary>
    internal static string ToConnectionString(string value)
    {
        if (value.Contains("Data Source=", StringComparison.OrdinalIgnoreCase)) return value;
        var path = value.StartsWith("file:", StringComparison.Ordinal) ? value[5..] : value;
        var query = path.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0) path = path[..query];
        if (path is ":memory:" or "") return "Data Source=:memory:";
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        return new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate }.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
        _gate.Dispose();
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex TableName();
}
