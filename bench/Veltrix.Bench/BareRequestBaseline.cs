using System.Diagnostics;
using System.Text;

namespace Veltrix.Bench;

/// <summary>
/// What one loopback request costs on this machine when nothing but Kestrel answers it: the load tool POSTs a small
/// CloudEvent to <see cref="EchoServer"/> in another process, one request at a time over HTTP/1.1, and the CPU of both
/// processes is summed. The yardstick for a request round through the system, measured in the same run: below capacity
/// a round's cost is mostly what each of its requests costs, whatever it carries.
/// </summary>
internal static class BareRequestBaseline
{
    public static async Task<double> CpuMicrosecondsAsync(HttpClient http, int warmRequests = 3_000, int measuredRequests = 5_000)
    {
        var port = Veltrix.Testing.FreePort.Next();
        using var echo = await EchoServer.StartProcessAsync(port, http);
        try
        {
            var uri = new Uri($"http://127.0.0.1:{port}/single");
            await PostAsync(http, uri, warmRequests); // the JIT's tiers first, in both processes
            var before = Cpu(echo.Id);
            await PostAsync(http, uri, measuredRequests);
            return (Cpu(echo.Id) - before) / measuredRequests * 1e6;
        }
        finally
        {
            echo.StandardInput.Close(); // EchoServer stops when its input closes
            await echo.WaitForExitAsync();
        }
    }

    /// <summary>The echo server's CPU and the load tool's own (not the sidecar it may have started).</summary>
    private static double Cpu(int echo) => ProcessCpu.Seconds(echo) + ProcessCpu.Seconds(Environment.ProcessId, children: false);

    private static async Task PostAsync(HttpClient http, Uri uri, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var content = new StringContent($$$"""{"id":"{{{i}}}","type":"bench","specversion":"1.0","data":{"sent":{{{Stopwatch.GetTimestamp()}}}}}""",
                Encoding.UTF8, "application/cloudevents+json");
            using var response = await http.PostAsync(uri, content);
            response.EnsureSuccessStatusCode();
        }
    }
}
