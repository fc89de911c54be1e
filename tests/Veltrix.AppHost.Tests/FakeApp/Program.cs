// A stand-in app for AppHost's tests, driven by environment variables:
//   FAKE_UNHEALTHY=1            GET /healthz answers 503 forever
//   FAKE_CRASH_AFTER_MS=N       exits with code 3 after N ms — once: FAKE_CRASH_MARKER (a file) records that it did,
//                               holding the pid that crashed
// It prints the environment AppHost gave it (never the tokens' values) and says when it stops gracefully.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
var unhealthy = Environment.GetEnvironmentVariable("FAKE_UNHEALTHY") == "1";

app.MapGet("/healthz", () => unhealthy ? Results.StatusCode(503) : Results.Text("ok"));
app.MapGet("/dapr/subscribe", () => Results.Text("[]", "application/json"));
app.Lifetime.ApplicationStopping.Register(() => Console.WriteLine("fake app stopping gracefully"));

string Env(string name) => Environment.GetEnvironmentVariable(name) ?? "";
Console.WriteLine($"fake app APP_ID={Env("APP_ID")} APP_PORT={Env("APP_PORT")} DAPR_HTTP_PORT={Env("DAPR_HTTP_PORT")} DAPR_GRPC_PORT={Env("DAPR_GRPC_PORT")} " +
                  $"ASPNETCORE_ENVIRONMENT={Env("ASPNETCORE_ENVIRONMENT")} GREETING={Env("GREETING")} " +
                  $"tokens={(Env("DAPR_API_TOKEN").Length > 20 && Env("APP_API_TOKEN").Length > 20 && Env("VELTRIX_OPERATOR_TOKEN").Length > 0 ? "set" : "missing")} " +
                  $"pid={Environment.ProcessId}");

if (int.TryParse(Env("FAKE_CRASH_AFTER_MS"), out var crashAfter) && Env("FAKE_CRASH_MARKER") is { Length: > 0 } marker && !File.Exists(marker))
{
    _ = Task.Run(async () =>
    {
        await Task.Delay(crashAfter);
        File.WriteAllText(marker, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Console.WriteLine("fake app crashing on purpose");
        Environment.Exit(3);
    });
}

app.Run();
