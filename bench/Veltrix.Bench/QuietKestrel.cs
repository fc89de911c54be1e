namespace Veltrix.Bench;

/// <summary>The Kestrel every baseline and subscriber of the benchmarks runs on: minimal hosting, loopback, no logging.</summary>
internal static class QuietKestrel
{
    public static WebApplication Build(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        return builder.Build();
    }
}
