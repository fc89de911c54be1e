using Npgsql;
using NpgsqlTypes;
using Veltrix.Resources.Components;

namespace Veltrix.Sidecar.Components.State.Postgres;

/// <summary>
/// `state.postgresql` v2: daprd's v2 layout, so daprd can read what the dev sidecar wrote and back — one table
/// `&lt;tablePrefix&gt;state` (key text, value bytea, etag uuid, created_at, updated_at, expires_at) and daprd's
/// migration marker in `dapr_metadata`. Every condition is part of the SQL statement itself (UPDATE … WHERE etag =,
/// INSERT … ON CONFLICT … WHERE expired), so two sidecars racing on one key get exactly one winner, and a transaction
/// whose condition fails rolls back as a whole. Expired rows read as missing and are deleted every `cleanupInterval`.
/// </summary>
public sealed class PostgresStateStore(ComponentResource resource, ComponentContext context) : IStateStore
{
    private readonly ILogger _logger = context.LoggerFactory.CreateLogger<PostgresStateStore>();
    private readonly CancellationTokenSource _stopping = new();
    private PostgresSettings _settings = null!;
    private NpgsqlDataSource? _dataSource;
    private Task _cleanup = Task.CompletedTask;

    public ComponentResource Resource => resource;
    public IReadOnlyList<string> Features { get; } = ["ETAG", "TRANSACTIONAL", "TTL", "ACTOR"];

    public async Task InitAsync(CancellationToken cancellationToken)
    {
        if (resource.Version != "v2")
            throw new InvalidOperationException($"{PostgresErrors.UnsupportedVersion}: the dev sidecar implements state.postgresql version v2 (daprd's recommended layout), not {resource.Version}; set `version: v2`");
        _settings = PostgresSettings.Read(resource);
        _dataSource = NpgsqlDataSource.Create(_settings.ConnectionString);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(PostgresSettings.ConnectTimeout + TimeSpan.FromSeconds(1));
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(bounded.Token);
            await CreateTablesAsync(connection, bounded.Token);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException
                                      || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new InvalidOperationException(
                $"{PostgresErrors.Unreachable}: cannot use PostgreSQL at {_settings.Endpoint}: {Reason(e)}. Start the server (`/etc/init.d/postgresql start`, " +
                "or `bash scripts/servers.sh local` in the Veltrix repository for both servers of components.rabbitmq/), or point the component's connectionString (or host/port/database/user/password) at a running one.", e);
        }
        if (_settings.CleanupInterval is { } interval) _cleanup = Task.Run(() => CleanUpAsync(interval));
    }

    // CREATE … IF NOT EXISTS, and daprd's migration marker, so daprd later finds the table it would have created.
    // CREATE TABLE IF NOT EXISTS is not safe against itself: two sessions creating the same table at once can both pass
    // the check, and the loser fails on the table's row type (42710) or its catalog entry (23505, 42P07). Components of
    // one database share dapr_metadata, so they do start at once. A transaction-level advisory lock makes Veltrix
    // sidecars take turns; the retry below covers any other creator (daprd takes no such lock).
    private async Task CreateTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT pg_advisory_xact_lock(hashtext('veltrix.state.postgresql.schema'));
            CREATE TABLE IF NOT EXISTS {_settings.StateTable} (
              key text NOT NULL PRIMARY KEY,
              value bytea NOT NULL,
              etag uuid NOT NULL DEFAULT gen_random_uuid(),
              created_at timestamp with time zone NOT NULL DEFAULT now(),
              updated_at timestamp with time zone,
              expires_at timestamp with time zone);
            CREATE INDEX IF NOT EXISTS {_settings.StateTable.Replace('.', '_')}_expires_at_idx ON {_settings.StateTable} (expires_at);
            CREATE TABLE IF NOT EXISTS {_settings.MetadataTable} (key text NOT NULL PRIMARY KEY, value text NOT NULL);
            INSERT INTO {_settings.MetadataTable} (key, value) VALUES (@marker, '1') ON CONFLICT (key) DO NOTHING;
            """;
        command.Parameters.AddWithValue("marker", "migrations-state-v2-" + _settings.TablePrefix);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // One explicit transaction: the advisory lock is held until every table exists, and a failure leaves nothing half-made.
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                command.Transaction = transaction;
                await command.ExecuteNonQueryAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return;
            }
            catch (PostgresException e) when (attempt < 3 && e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable
                                                  or PostgresErrorCodes.DuplicateObject)
            {
                // A creator that takes no lock (daprd) made a shared table (dapr_metadata) at the same moment. The transaction
                // rolled this component's own table back with it: run it again.
            }
        }
    }

    public async Task<StoredState?> GetAsync(string key, CancellationToken cancellationToken)
    {
        await using var command = _dataSource!.CreateCommand(
            $"SELECT value, etag, expires_at FROM {_settings.StateTable} WHERE key = @key AND (expires_at IS NULL OR expires_at >= now())");
        command.Parameters.AddWithValue("key", key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new StoredState(
            reader.GetFieldValue<byte[]>(0), reader.GetGuid(1).ToString(), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
    }

    /// <summary>One query for the whole bulk get.</summary>
    public async Task<IReadOnlyList<StoredState?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        await using var command = _dataSource!.CreateCommand(
            $"SELECT key, value, etag, expires_at FROM {_settings.StateTable} WHERE key = ANY(@keys) AND (expires_at IS NULL OR expires_at >= now())");
        command.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = keys.Distinct(StringComparer.Ordinal).ToArray() });
        var found = new Dictionary<string, StoredState>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                found[reader.GetString(0)] = new StoredState(reader.GetFieldValue<byte[]>(1), reader.GetGuid(2).ToString(),
                    reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3));
        }
        return keys.Select(key => found.GetValueOrDefault(key)).ToArray();
    }

    public async Task ApplyAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource!.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var operation in operations)
        {
            if (!await ApplyOneAsync(connection, transaction, operation, cancellationToken))
            {
                await transaction.RollbackAsync(CancellationToken.None);
                throw new ETagMismatchException(operation.Key, Why(operation));
            }
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Runs one write with its condition in the statement; false when the condition failed.</summary>
    private async Task<bool> ApplyOneAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, StateOperation operation, CancellationToken cancellationToken)
    {
        var table = _settings.StateTable;
        Guid? etag = null;
        if (operation.ETag is { } text)
        {
            if (!Guid.TryParse(text, out var parsed)) return operation is DeleteOperation && !await ExistsAsync(connection, transaction, operation.Key, cancellationToken);
            etag = parsed;
        }
        await using var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
        command.Parameters.AddWithValue("key", operation.Key);
        if (etag is { } expected) command.Parameters.AddWithValue("etag", expected);
        const string live = "(expires_at IS NULL OR expires_at >= now())";
        switch (operation)
        {
            case UpsertOperation upsert:
                command.Parameters.Add(new NpgsqlParameter("value", NpgsqlDbType.Bytea) { Value = upsert.Value });
                command.Parameters.Add(new NpgsqlParameter("ttl", NpgsqlDbType.Double) { Value = upsert.Ttl is { } ttl ? ttl.TotalSeconds : DBNull.Value });
                const string expires = "CASE WHEN @ttl::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => @ttl::float8) END";
                command.CommandText = etag is not null
                    ? $"UPDATE {table} SET value = @value, etag = gen_random_uuid(), updated_at = now(), expires_at = {expires} WHERE key = @key AND etag = @etag AND {live}"
                    : $"INSERT INTO {table} AS t (key, value, etag, expires_at) VALUES (@key, @value, gen_random_uuid(), {expires}) " +
                      $"ON CONFLICT (key) DO UPDATE SET value = excluded.value, etag = excluded.etag, updated_at = now(), expires_at = excluded.expires_at" +
                      (upsert.FirstWrite ? " WHERE t.expires_at IS NOT NULL AND t.expires_at < now()" : ""); // first-write: only over an expired row
                return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
            case DeleteOperation:
                if (etag is null)
                {
                    command.CommandText = $"DELETE FROM {table} WHERE key = @key";
                    await command.ExecuteNonQueryAsync(cancellationToken);
                    return true;
                }
                command.CommandText = $"DELETE FROM {table} WHERE key = @key AND etag = @etag AND {live}";
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 1) return true;
                return !await ExistsAsync(connection, transaction, operation.Key, cancellationToken); // deleting what is gone succeeds (ETagRules)
            default:
                throw new NotSupportedException(operation.GetType().Name);
        }
    }

    private async Task<bool> ExistsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string key, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT 1 FROM {_settings.StateTable} WHERE key = @key AND (expires_at IS NULL OR expires_at >= now())", connection, transaction);
        command.Parameters.AddWithValue("key", key);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private static string Why(StateOperation operation) => operation switch
    {
        { ETag: not null } => "the key does not exist or its stored etag is different",
        UpsertOperation { FirstWrite: true } => "first-write without an etag, and the key already exists",
        _ => "the write's condition failed",
    };

    private async Task CleanUpAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval, context.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                try
                {
                    await using var command = _dataSource!.CreateCommand($"DELETE FROM {_settings.StateTable} WHERE expires_at IS NOT NULL AND expires_at < now()");
                    var deleted = await command.ExecuteNonQueryAsync(_stopping.Token);
                    if (deleted > 0) _logger.LogDebug("state {Component}: deleted {Count} expired row(s)", resource.Name, deleted);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException)
                {
                    _logger.LogWarning("state {Component}: the TTL clean-up failed, trying again in {Interval}: {Error}", resource.Name, interval, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private static string Reason(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return inner == e ? e.Message : $"{e.Message} ({inner.Message})";
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _cleanup;
        if (_dataSource is not null) await _dataSource.DisposeAsync();
        _stopping.Dispose();
    }
}
