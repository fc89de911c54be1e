using Veltrix.Bench;

// Benchmarks: each measures the system and a baseline in the same run and prints both with the ratio.
//   dotnet run -c Release --project bench/Veltrix.Bench -- sidecar [--events 20000] [--bulk-events 200000] [--concurrency 16] [--warm-events 20000]
//   dotnet run -c Release --project bench/Veltrix.Bench -- rabbitmq [--events 20000] [--bulk-events 100000] [--concurrency 16] [--publishers 4] [--rounds 1] [--warm-events 20000]
//   dotnet build Veltrix.sln -c Release && dotnet run -c Release --project bench/Veltrix.Bench -- hunt [--events 50000] [--rate 5000] [--offer 10000] [--offer-seconds 15] [--warm-seconds 30] [--settle-seconds 0] [--tick-ms 10] [--capacity-only | --latency-only [--viewers 1]] [--debug]
//   dotnet build Veltrix.sln -c Release && dotnet run -c Release --project bench/Veltrix.Bench -- overload [--seconds 20] [--clients 4] [--factor 10] [--batch 500]
//   dotnet run -c Release --project bench/Veltrix.Bench -- routing [--batches 2000]
//   dotnet run -c Release --project bench/Veltrix.Bench -- workflows [--workflows 2000] [--concurrency 64] [--store sqlite|postgres]
//   dotnet run -c Release --project bench/Veltrix.Bench -- state [--rounds 2000] [--batch 60] [--players 20000] [--warm-rounds 500]
return args.FirstOrDefault() switch
{
    "sidecar" => await SidecarBenchmark.RunAsync(args[1..]),
    "hunt" => await HuntBenchmark.RunAsync(args[1..]),
    "overload" => await OverloadBenchmark.RunAsync(args[1..]),
    "rabbitmq" => await RabbitMqBenchmark.RunAsync(args[1..]),
    "routing" => await RoutingBenchmark.RunAsync(args[1..]),
    "workflows" => await WorkflowBenchmark.RunAsync(args[1..]),
    "state" => await StateBenchmark.RunAsync(args[1..]),
    "echo-server" => await EchoServer.RunAsync(args[1..]), // started by `sidecar` as its per-hop baseline in another process
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Veltrix.Bench sidecar|rabbitmq|hunt|overload|routing|workflows|state [options]   (see docs/performance.md)");
    return 2;
}
