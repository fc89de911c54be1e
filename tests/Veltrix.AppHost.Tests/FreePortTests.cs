using Veltrix.AppHost.CommandLine;
using Veltrix.AppHost.Run;
using Veltrix.Resources.RunTemplates;

namespace Veltrix.AppHost.Tests;

/// <summary>
/// The sidecar API ports dapr.yaml leaves open are taken free, and each is a port of its own: the kernel can hand out a
/// port again once the listener that found it is closed, and two apps given one gRPC port stop the sidecar (VX2001).
/// </summary>
public sealed class FreePortTests
{
    [Fact]
    public void A_port_the_run_already_has_is_not_handed_out_again()
    {
        var planned = new HashSet<int> { 5000 };
        var offered = new Queue<int>([5000, 5000, 5001, 5001, 5002]);

        Assert.Equal(5001, PortCheck.AnyFreePort(planned, offered.Dequeue));
        Assert.Equal(5002, PortCheck.AnyFreePort(planned, offered.Dequeue));
        Assert.Equal([5000, 5001, 5002], planned.Order());
    }

    [Fact]
    public void A_source_that_only_repeats_planned_ports_ends_in_an_error_with_a_code()
    {
        var error = Assert.Throws<AppHostError>(() => PortCheck.AnyFreePort(new HashSet<int> { 5000 }, () => 5000));
        Assert.Equal("VX4004", error.Code);
    }

    [Fact]
    public void Every_sidecar_port_left_open_is_a_port_of_its_own()
    {
        // 400 ports taken free in one run: drawn independently from the kernel's ephemeral range, some two of them would
        // almost surely be the same.
        var apps = Enumerable.Range(0, 200)
            .Select(i => new TemplateApp($"app{i}", Path.GetTempPath(), 3000 + i, DaprHttpPort: null, DaprGrpcPort: null, ["dotnet", "run"],
                new Dictionary<string, string>()))
            .ToList();
        var template = new RunTemplate(Path.Combine(Path.GetTempPath(), "dapr.yaml"), [], new Dictionary<string, string>(), apps, []);

        var plan = RunPlan.Create(new AppHostOptions { RunFile = template.FilePath }, template, Path.GetTempPath());

        var ports = plan.Apps.SelectMany(a => new[] { a.AppPort, a.DaprHttpPort, a.DaprGrpcPort }).ToList();
        Assert.Equal(600, ports.Count);
        Assert.Equal(ports.Count, ports.Distinct().Count());
    }

    [Fact]
    public void Ports_left_open_are_above_the_kernels_ephemeral_range_where_it_has_room()
    {
        // An outgoing connection takes its local port from the ephemeral range: a port chosen there can be gone by the
        // time the sidecar binds it. Linux's default range ends at 60999, leaving 61000–65535.
        Assert.SkipUnless(PortCheck.AboveEphemeralRange() is { } above && above.High - above.Low >= 1000, "no room above this machine's ephemeral range");
        var (low, high) = PortCheck.AboveEphemeralRange()!.Value;
        var planned = new HashSet<int>();

        var ports = Enumerable.Range(0, 20).Select(_ => PortCheck.AnyFreePort(planned)).ToList();

        Assert.All(ports, port => Assert.InRange(port, low, high));
    }
}
