using Microsoft.Data.Sqlite;

namespace Veltrix.Sidecar.Components.State;

/// <summary>
/// Copies a SQLite database's write-ahead log back into the database from a connection of its own, every
/// <see cref="Every"/>, so that the store's one writer does not. Left to itself SQLite checkpoints inside the commit
/// that fills the log past 1,000 pages: that commit copies the pages and waits for two fsyncs (5 ms on average here at
/// 10,000 answers/s, ten times a second), and since the store serialises its work, every state call of every app waits
/// with it. A PASSIVE checkpoint runs beside the writer and waits for nobody; it copies what readers no longer need.
/// The store keeps SQLite's own checkpoint as a backstop at <see cref="BackstopPages"/>, so the log stays bounded if
/// this one falls behind.
/// </summary>
internal sealed class WalCheckpointer : IAsyncDisposable
{
    public static readonly TimeSpan Every = TimeSpan.FromMilliseconds(100);
    public const int BackstopPages = 10_000;

    private readonly SqliteConnection _connection;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private WalCheckpointer(SqliteConnection connection, TimeProvider time)
    {
        _connection = connection;
        _loop = RunAsync(time);
    }

    /// <summary>Opens its connection with the store's durability (synchronous=NORMAL: a checkpoint syncs the log, then the database).</summary>
    public static async Task<WalCheckpointer> StartAsync(string connectionString, TimeProvider time, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0;";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        return new WalCheckpointer(connection, time);
    }

    private async Task RunAsync(TimeProvider time)
    {
        using var timer = new PeriodicTimer(Every, time);
        using var checkpoint = _connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    checkpoint.ExecuteNonQuery();
                }
                catch (SqliteException)
                {
                    // A checkpoint that could not run now is tried at the next tick; the store's backstop bounds the log meanwhile.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        await _connection.DisposeAsync();
        _stop.Dispose();
    }
}
