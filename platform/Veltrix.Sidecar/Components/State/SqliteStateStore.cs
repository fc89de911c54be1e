using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Veltrix.Resources.Components;

namespace Veltrix.Sidecar.Components.State;

/// <summary>
/// `state.sqlite`: one table shaped like daprd's (key, value, is_binary, etag, expiration_time, update_time), so a
/// file written here can be read by daprd and back. SQLite has one writer at a time, so this store serialises its
/// work on one connection rather than contending for the file lock — and, since only one statement runs at a time,
/// keeps its statements prepared instead of parsing SQL for every key.
/// </summary>
public sealed partial class SqliteStateStore(ComponentResource resource, ComponentContext context) : IStateStore
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _connection;
    private WalCheckpointer? _checkpointer;
    private SqliteCommand _select = null!;
    private SqliteCommand _upsert = null!;
    private SqliteCommand _insertNew = null!;
    private SqliteCommand _updateIfMatch = null!;
    private SqliteCommand _delete = null!;
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

        var connectionString = ToConnectionString(resource.Get("connectionString")!);
        _connection = new SqliteConnection(connectionString);
        await _connection.OpenAsync(cancellationToken);
        var wal = !(bool.TryParse(resource.Get("disableWAL"), out var disable) && disable);
        // WAL with synchronous=NORMAL: a commit survives the process dying (the WAL is written before the commit
        // returns) without an fsync per transaction; only an OS crash can lose the last commits.
        // Reads through a memory map and a 32 MiB page cache (SQLite's default is 2 MiB): under load every key of a batch
        // is another random page of a file of hundreds of MB, and a page that is not cached is a pread system call
        // and a copy each (6 % of the sidecar's CPU at 10,000 answers/s). Both are bounds, not reservations.
        await ExecuteAsync($"PRAGMA busy_timeout = {(int)busy.TotalMilliseconds}; PRAGMA cache_size = -32768; PRAGMA mmap_size = 268435456;"
            + (wal ? $"PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = {WalCheckpointer.BackstopPages};" : ""), cancellationToken);
        // Checkpoints off the commit path (see WalCheckpointer), where SQLite did take WAL: an in-memory database keeps
        // its own journal mode and has no log to copy.
        if (wal && await JournalModeAsync(cancellationToken) == "wal")
            _checkpointer = await WalCheckpointer.StartAsync(connectionString, context.Time, cancellationToken);
        await ExecuteAsync(
            $"CREATE TABLE IF NOT EXISTS {_table} (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL, is_binary BOOLEAN NOT NULL, " +
            "etag TEXT NOT NULL, expiration_time TIMESTAMP DEFAULT NULL, update_time TIMESTAMP DEFAULT NULL)", cancellationToken);
        _select = Prepare($"SELECT value, is_binary, etag, expiration_time FROM {_table} WHERE key = $key", "$key");
        // Every write of a value binds the same row (Run); the three differ in what they do when the key is there.
        string[] row = ["$key", "$value", "$binary", "$etag", "$expires", "$now"];
        var insert = $"INSERT INTO {_table} (key, value, is_binary, etag, expiration_time, update_time) VALUES ($key, $value, $binary, $etag, $expires, $now) ";
        _upsert = Prepare(
            insert + "ON CONFLICT (key) DO UPDATE SET value = excluded.value, is_binary = excluded.is_binary, etag = excluded.etag, " +
            "expiration_time = excluded.expiration_time, update_time = excluded.update_time",
            row);
        _insertNew = Prepare(insert + "ON CONFLICT (key) DO NOTHING", row);
        _updateIfMatch = Prepare(
            $"UPDATE {_table} SET value = $value, is_binary = $binary, etag = $etag, expiration_time = $expires, update_time = $now " +
            "WHERE key = $key AND etag = $match AND expiration_time IS NULL",
            [.. row, "$match"]);
        _delete = Prepare($"DELETE FROM {_table} WHERE key = $key", "$key");
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection!.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = _timeoutSeconds;
        foreach (var name in parameters) command.Parameters.Add(new SqliteParameter { ParameterName = name, Value = DBNull.Value });
        command.Prepare();
        return command;
    }

    public async Task<IReadOnlyList<StoredState?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var values = new StoredState?[keys.Count];
            // One read transaction for the whole bulk read: a consistent view of the keys, and one WAL read lock instead
            // of one per key (each auto-committed SELECT takes and drops the lock with its own system calls).
            using var transaction = keys.Count > 1 ? _connection!.BeginTransaction(deferred: true) : null;
            for (var i = 0; i < keys.Count; i++) values[i] = Read(keys[i], transaction);
            transaction?.Commit();
            return values;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<StoredState?> GetAsync(string key, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return Read(key, null);
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
            // Microsoft.Data.Sqlite runs statements synchronously whatever the API; the gate keeps it to one at a time.
            using var transaction = _connection!.BeginTransaction();
            foreach (var operation in operations)
                if (!TryWriteAtOnce(operation, transaction)) WriteChecked(operation, transaction);
            transaction.Commit();
        }
        finally
        {
            _upsert.Transaction = _insertNew.Transaction = _updateIfMatch.Transaction = _delete.Transaction = _select.Transaction = null;
            _gate.Release();
        }
    }

    /// <summary>
    /// The common writes as one statement with their condition in it, as the PostgreSQL store does: a write without a
    /// condition, a first-write that finds no row, a compare-and-swap on a row without a TTL. Every write used to read its
    /// key first, two statements where one does. False when the statement changed nothing — a first-write that met a
    /// row, a stale or missing ETag, a row with a TTL — and then <see cref="WriteChecked"/> decides, as every write did
    /// before: the row may be expired (and count as missing), and a refusal needs its reason. A statement that changed
    /// nothing wrote nothing, so the second path starts from the same state.
    /// </summary>
    private bool TryWriteAtOnce(StateOperation operation, SqliteTransaction transaction)
    {
        switch (operation)
        {
            case DeleteOperation { ETag: null }:
                Run(_delete, operation, transaction); // no condition (ETagRules: first-write concerns upserts only)
                return true;
            case UpsertOperation { ETag: null, FirstWrite: false } upsert:
                Run(_upsert, upsert, transaction);
                return true;
            case UpsertOperation { ETag: null } firstWrite:
                return Run(_insertNew, firstWrite, transaction) == 1;
            case UpsertOperation { ETag: { } expected } swap:
                _updateIfMatch.Parameters["$match"].Value = expected;
                return Run(_updateIfMatch, swap, transaction) == 1;
            default:
                return false;
        }
    }

    /// <summary>Reads the key, checks the operation's condition against it (<see cref="ETagRules"/>), then writes.</summary>
    private void WriteChecked(StateOperation operation, SqliteTransaction transaction)
    {
        ETagRules.Check(operation, Read(operation.Key, transaction)?.ETag);
        Run(operation is UpsertOperation ? _upsert : _delete, operation, transaction);
    }

    /// <summary>Runs one of the prepared writes for the operation's key (and value); the rows it changed.</summary>
    private int Run(SqliteCommand command, StateOperation operation, SqliteTransaction transaction)
    {
        command.Transaction = transaction;
        command.Parameters["$key"].Value = operation.Key;
        if (operation is UpsertOperation upsert)
        {
            var now = context.Time.GetUtcNow();
            var (text, binary) = Encode(upsert.Value);
            command.Parameters["$value"].Value = text;
            command.Parameters["$binary"].Value = binary;
            command.Parameters["$etag"].Value = ETagRules.NewETag();
            command.Parameters["$expires"].Value = upsert.Ttl is { } ttl ? Timestamp(now + ttl) : DBNull.Value;
            command.Parameters["$now"].Value = Timestamp(now);
        }
        return command.ExecuteNonQuery();
    }

    private StoredState? Read(string key, SqliteTransaction? transaction)
    {
        _select.Transaction = transaction;
        _select.Parameters["$key"].Value = key;
        using var reader = _select.ExecuteReader();
        if (!reader.Read()) return null;
        DateTimeOffset? expires = reader.IsDBNull(3)
            ? null
            : DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        if (expires is { } at && at <= context.Time.GetUtcNow()) return null; // expired rows read as missing
        var value = reader.GetBoolean(1) ? Convert.FromBase64String(reader.GetString(0)) : Encoding.UTF8.GetBytes(reader.GetString(0));
        return new StoredState(value, reader.GetString(2), expires);
    }

    private async Task<string?> JournalModeAsync(CancellationToken cancellationToken)
    {
        await using var command = _connection!.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        return await command.ExecuteScalarAsync(cancellationToken) as string;
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
        CreatePrivately(Path.GetFullPath(path));
        return new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate }.ToString();
    }

    /// <summary>
    /// The state holds players' data and dead letters: a folder this store creates is 0700 and a file 0600, created
    /// empty before SQLite opens it (an empty file is an empty database), because SQLite gives its -wal and -shm files
    /// the database file's mode. Existing files and folders keep the mode their owner chose.
    /// </summary>
    private static void CreatePrivately(string file)
    {
        if (Path.GetDirectoryName(file) is { } directory && !Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
            else Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        if (File.Exists(file) || OperatingSystem.IsWindows()) return;
        try
        {
            using var created = new FileStream(file, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException) when (File.Exists(file))
        {
            // created by another process (a second sidecar on the same file) in between: it is theirs to own
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_checkpointer is not null) await _checkpointer.DisposeAsync();
        foreach (var command in (SqliteCommand?[])[_select, _upsert, _insertNew, _updateIfMatch, _delete]) command?.Dispose();
        if (_connection is not null) await _connection.DisposeAsync();
        _gate.Dispose();
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex TableName();
}
