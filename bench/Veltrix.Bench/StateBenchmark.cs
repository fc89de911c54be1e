using System.Diagnostics;
using System.Text;
using Dapr.Client;
using Microsoft.Data.Sqlite;
using Veltrix.Testing;

namespace Veltrix.Bench;

/// <summary>
/// State rounds shaped like scoring's (a bulk read of a batch's ledgers, then one transaction with a first-write award
/// record per solve and a compare-and-swap per ledger on the ETag read) through the official SDK over gRPC to a dev
/// sidecar with the `state.sqlite` store, next to a baseline in the same run: the same rows written by
/// Microsoft.Data.Sqlite in this process, with the store's settings and one statement per read and per write.
/// </summary>
internal static class StateBenchmark
{
    private const string Store = "statestore";

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = HuntBenchmark.Arg(args, "--rounds", 2_000);
        var batch = HuntBenchmark.Arg(args, "--batch", 60);
        var players = HuntBenchmark.Arg(args, "--players", 20_000);
        var warmRounds = HuntBenchmark.Arg(args, "--warm-rounds", 500);

        using var resources = new ResourcesFolder();
        var sidecarFile = Path.Combine(resources.Path, "data", "state.db");
        resources.Write("components.yaml", Yaml.SqliteState(Store, sidecarFile));
        await using var sidecar = await SidecarProcess.StartForAppAsync("bench", null, [resources.Path], waitForApp: false);
        using var dapr = new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcAddress.ToString()).Build();
        var veltrix = new ThroughSidecar(dapr);
        var veltrixResult = await MeasureAsync(veltrix, () => ProcessCpu.Seconds(sidecar.ProcessId, children: false));

        var rawFile = Path.Combine(resources.Path, "data", "raw.db");
        await using var raw = await RawSqlite.OpenAsync(rawFile);
        var rawResult = await MeasureAsync(raw, () => ProcessCpu.Seconds(Environment.ProcessId, children: false));

        var writes = (double)rounds * 2 * batch;
        Console.WriteLine();
        Console.WriteLine($"State rounds — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}: " +
                          $"{rounds:N0} rounds (after {warmRounds:N0} unmeasured), each a bulk read of {batch} ledgers of {players:N0} players and one transaction " +
                          $"of {batch} first-write award records + {batch} compare-and-swap ledger writes");
        Console.WriteLine();
        Console.WriteLine("| | rounds/s | writes/s | round p50 ms | round p99 ms | CPU per write (the store's process) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        Console.WriteLine(Row("Veltrix: SDK → dev sidecar (gRPC) → state.sqlite", veltrixResult));
        Console.WriteLine(Row("baseline: Microsoft.Data.Sqlite in this process", rawResult));
        Console.WriteLine();
        Console.WriteLine(HuntBenchmark.Invariant($"ratio (Veltrix rounds/s ÷ baseline's): {veltrixResult.Rounds / veltrixResult.Seconds / (rawResult.Rounds / rawResult.Seconds):F2}×"));
        return 0;

        string Row(string name, Result result) =>
            HuntBenchmark.Invariant($"| {name} | {result.Rounds / result.Seconds:N0} | {writes / result.Seconds:N0} | {result.P50:F2} | {result.P99:F2} | {result.CpuSeconds / writes * 1e6:F1} µs |");

        async Task<Result> MeasureAsync(IStateRounds target, Func<double> cpuSeconds)
        {
            for (var first = 0; first < players; first += 500)
                await target.SaveLedgersAsync(Enumerable.Range(first, Math.Min(500, players - first)).Select(LedgerKey).ToList());
            // The same players in the same order for both: one seeded sequence each.
            var random = new Random(13);
            var next = 0L;
            for (var r = 0; r < warmRounds; r++) await RoundAsync();
            var latencies = new double[rounds];
            var cpuBefore = cpuSeconds();
            var clock = Stopwatch.StartNew();
            for (var r = 0; r < rounds; r++)
            {
                var start = Stopwatch.GetTimestamp();
                await RoundAsync();
                latencies[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            var seconds = clock.Elapsed.TotalSeconds;
            var cpu = cpuSeconds() - cpuBefore;
            Array.Sort(latencies);
            return new Result(rounds, seconds, HuntBenchmark.Percentile(latencies, 50), HuntBenchmark.Percentile(latencies, 99), cpu);

            Task RoundAsync()
            {
                // Distinct players, as a scoring batch has one ledger per player.
                var chosen = new HashSet<int>();
                while (chosen.Count < batch) chosen.Add(random.Next(players));
                var awards = chosen.Select(p => $"award:h1:p{p:D5}:{next++}").ToList();
                return target.RoundAsync(chosen.Select(LedgerKey).ToList(), awards);
            }
        }
    }

    private static string LedgerKey(int player) => $"ledger:h1:p{player:D5}";

    private static readonly byte[] Ledger = Encoding.UTF8.GetBytes("""{"huntId":"h1","playerId":"p00001","points":12,"version":12,"awards":12}""");
    private static readonly byte[] Award = Encoding.UTF8.GetBytes("""{"puzzleId":"p17","points":1,"eventId":"h1-123456"}""");

    private sealed record Result(int Rounds, double Seconds, double P50, double P99, double CpuSeconds);

    private interface IStateRounds
    {
        Task SaveLedgersAsync(IReadOnlyList<string> keys);

        /// <summary>Reads the ledgers, then writes each award first-write and each ledger on its ETag, all or nothing.</summary>
        Task RoundAsync(IReadOnlyList<string> ledgers, IReadOnlyList<string> awards);
    }

    private sealed class ThroughSidecar(DaprClient dapr) : IStateRounds
    {
        private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

        public Task SaveLedgersAsync(IReadOnlyList<string> keys) =>
            dapr.ExecuteStateTransactionAsync(Store, keys.Select(key => new StateTransactionRequest(key, Ledger, StateOperationType.Upsert)).ToList());

        public async Task RoundAsync(IReadOnlyList<string> ledgers, IReadOnlyList<string> awards)
        {
            var read = await dapr.GetBulkStateAsync(Store, ledgers, parallelism: 16);
            var writes = awards.Select(key => new StateTransactionRequest(key, Award, StateOperationType.Upsert, options: FirstWrite))
                .Concat(read.Select(item => new StateTransactionRequest(item.Key, Ledger, StateOperationType.Upsert, item.ETag)))
                .ToList();
            await dapr.ExecuteStateTransactionAsync(Store, writes);
        }
    }

    /// <summary>
    /// The baseline: daprd's table shape and the store's settings (WAL, synchronous NORMAL, the 32 MiB cache and the
    /// 256 MiB map, SQLite's own checkpoint only past 10,000 pages and a passive one every 100 ms from a second
    /// connection, as the store's checkpointer), one statement per read and per conditional write.
    /// </summary>
    private sealed class RawSqlite : IStateRounds, IAsyncDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteConnection _checkpoints;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _checkpointer;
        private readonly SqliteCommand _read, _upsert, _insertNew, _swap;

        private RawSqlite(SqliteConnection connection, SqliteConnection checkpoints)
        {
            _connection = connection;
            _checkpoints = checkpoints;
            _checkpointer = CheckpointAsync(checkpoints, _stop.Token);
            _read = Command("SELECT etag FROM state WHERE key = $key");
            _upsert = Command("INSERT INTO state (key, value, is_binary, etag) VALUES ($key, $value, 0, $etag) " +
                              "ON CONFLICT (key) DO UPDATE SET value = excluded.value, etag = excluded.etag");
            _insertNew = Command("INSERT INTO state (key, value, is_binary, etag) VALUES ($key, $value, 0, $etag) ON CONFLICT (key) DO NOTHING");
            _swap = Command("UPDATE state SET value = $value, etag = $etag WHERE key = $key AND etag = $match");
        }

        private static async Task CheckpointAsync(SqliteConnection connection, CancellationToken stop)
        {
            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
            using var every = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            try
            {
                while (await every.WaitForNextTickAsync(stop)) checkpoint.ExecuteNonQuery();
            }
            catch (OperationCanceledException)
            {
                // the benchmark is over
            }
        }

        public static async Task<RawSqlite> OpenAsync(string file)
        {
            var connectionString = new SqliteConnectionStringBuilder { DataSource = file }.ToString();
            var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync();
            await using (var setup = connection.CreateCommand())
            {
                setup.CommandText = "PRAGMA cache_size = -32768; PRAGMA mmap_size = 268435456; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; " +
                                    "PRAGMA wal_autocheckpoint = 10000; " +
                                    "CREATE TABLE state (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL, is_binary BOOLEAN NOT NULL, etag TEXT NOT NULL, " +
                                    "expiration_time TIMESTAMP DEFAULT NULL, update_time TIMESTAMP DEFAULT NULL)";
                await setup.ExecuteNonQueryAsync();
            }
            var checkpoints = new SqliteConnection(connectionString);
            await checkpoints.OpenAsync();
            return new RawSqlite(connection, checkpoints);
        }

        private SqliteCommand Command(string sql)
        {
            var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in (string[])["$key", "$value", "$etag", "$match"])
                if (sql.Contains(name, StringComparison.Ordinal)) command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
            command.Prepare();
            return command;
        }

        public Task SaveLedgersAsync(IReadOnlyList<string> keys)
        {
            using var transaction = _connection.BeginTransaction();
            foreach (var key in keys) Write(_upsert, transaction, key, Ledger);
            transaction.Commit();
            return Task.CompletedTask;
        }

        public Task RoundAsync(IReadOnlyList<string> ledgers, IReadOnlyList<string> awards)
        {
            var etags = new string[ledgers.Count];
            using (var reading = _connection.BeginTransaction(deferred: true))
            {
                _read.Transaction = reading;
                for (var i = 0; i < ledgers.Count; i++)
                {
                    _read.Parameters["$key"].Value = ledgers[i];
                    etags[i] = (string)_read.ExecuteScalar()!;
                }
                reading.Commit();
            }
            using var transaction = _connection.BeginTransaction();
            foreach (var key in awards)
                if (Write(_insertNew, transaction, key, Award) != 1) throw new InvalidOperationException($"award {key} exists");
            for (var i = 0; i < ledgers.Count; i++)
            {
                _swap.Parameters["$match"].Value = etags[i];
                if (Write(_swap, transaction, ledgers[i], Ledger) != 1) throw new InvalidOperationException($"ledger {ledgers[i]} changed");
            }
            transaction.Commit();
            return Task.CompletedTask;
        }

        private static int Write(SqliteCommand command, SqliteTransaction transaction, string key, byte[] value)
        {
            command.Transaction = transaction;
            command.Parameters["$key"].Value = key;
            command.Parameters["$value"].Value = Encoding.UTF8.GetString(value);
            command.Parameters["$etag"].Value = NewETag();
            return command.ExecuteNonQuery();
        }

        /// <summary>
        /// An ETag made as the store makes its own (ETagRules.NewETag): random bits from the runtime's generator. Not
        /// <see cref="Guid.NewGuid"/>, which reads the kernel's random source for every call and would charge the baseline
        /// a system call per write that the store does not make.
        /// </summary>
        private static string NewETag()
        {
            Span<byte> bits = stackalloc byte[16];
#pragma warning disable CA5394 // not a secret: the baseline's ETags only have to differ
            Random.Shared.NextBytes(bits);
#pragma warning restore CA5394
            return new Guid(bits).ToString();
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _checkpointer;
            _stop.Dispose();
            await _checkpoints.DisposeAsync();
            foreach (var command in (SqliteCommand[])[_read, _upsert, _insertNew, _swap]) await command.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}
