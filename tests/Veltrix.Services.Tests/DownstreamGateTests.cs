using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Veltrix.Gateway.Ingest;

namespace Veltrix.Services.Tests;

/// <summary>
/// The gateway's admission after the broker refused events: closed for a window, the window doubling while the broker
/// keeps refusing with nothing accepted in between (up to the maximum) and halving with each request accepted whole.
/// </summary>
public sealed class DownstreamGateTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly DownstreamGate _gate;

    public DownstreamGateTests() =>
        _gate = new DownstreamGate(Options.Create(new GatewayOptions { MinClosedMilliseconds = 50, MaxClosedMilliseconds = 400 }), _time);

    [Fact]
    public void The_gate_is_open_until_the_broker_refuses_and_then_closed_for_the_minimum_window()
    {
        Assert.Equal(TimeSpan.Zero, _gate.ClosedFor);
        _gate.Refused();
        Assert.Equal(TimeSpan.FromMilliseconds(50), _gate.ClosedFor);
        _time.Advance(TimeSpan.FromMilliseconds(49));
        Assert.Equal(TimeSpan.FromMilliseconds(1), _gate.ClosedFor);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(TimeSpan.Zero, _gate.ClosedFor);
    }

    [Fact]
    public void Refusals_reported_while_closed_do_not_extend_the_window()
    {
        _gate.Refused();
        _time.Advance(TimeSpan.FromMilliseconds(30));
        _gate.Refused(); // a request admitted before the gate closed
        _gate.Refused();
        Assert.Equal(TimeSpan.FromMilliseconds(20), _gate.ClosedFor);
    }

    [Fact]
    public void The_window_doubles_while_the_broker_keeps_refusing_up_to_the_maximum_and_halves_once_per_closing_after_an_acceptance()
    {
        var windows = new List<double>();
        for (var i = 0; i < 6; i++)
        {
            _gate.Refused();
            windows.Add(_gate.ClosedFor.TotalMilliseconds);
            _time.Advance(_gate.ClosedFor);
        }
        Assert.Equal([50, 100, 200, 400, 400, 400], windows);

        _gate.Accepted();
        _gate.Refused();
        Assert.Equal(TimeSpan.FromMilliseconds(200), _gate.ClosedFor); // something got through since the last closing: halved
        _time.Advance(_gate.ClosedFor);
        _gate.Refused();
        Assert.Equal(TimeSpan.FromMilliseconds(400), _gate.ClosedFor); // refused again with nothing accepted: doubled
        _time.Advance(_gate.ClosedFor);

        for (var i = 0; i < 4; i++) _gate.Accepted(); // a burst at one reopening halves once, not four times
        _gate.Refused();
        Assert.Equal(TimeSpan.FromMilliseconds(200), _gate.ClosedFor);

        windows.Clear();
        for (var i = 0; i < 3; i++)
        {
            _time.Advance(_gate.ClosedFor);
            _gate.Accepted();
            _gate.Refused();
            windows.Add(_gate.ClosedFor.TotalMilliseconds);
        }
        Assert.Equal([100, 50, 50], windows); // never below the minimum
    }
}
