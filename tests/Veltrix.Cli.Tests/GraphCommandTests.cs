using Veltrix.Testing;

namespace Veltrix.Cli.Tests;

/// <summary>
/// `veltrix graph` on the repository: the edges are written out here from events/treasure-hunt.yaml by hand —
/// gateway → answer.submitted → hunt → puzzle.solved → scoring → points.awarded → leaderboard, each event type with a
/// dead-letter topic its consumer fails into and an owner that reads it.
/// </summary>
public sealed class GraphCommandTests
{
    // (from, to, label, dashed) — nodes as "app:<id>" or "topic:<pubsub>/<topic>".
    private static readonly (string From, string To, string Label, bool Dashed)[] Edges =
    [
        ("app:gateway", "topic:pubsub/answer.submitted", "answer.submitted", false),
        ("topic:pubsub/answer.submitted", "app:hunt", "answer.submitted", false),
        ("app:hunt", "topic:pubsub/answer.submitted.dead", "dead letters", true),
        ("topic:pubsub/answer.submitted.dead", "app:hunt", "owner", true),
        ("app:hunt", "topic:pubsub/puzzle.solved", "puzzle.solved", false),
        ("topic:pubsub/puzzle.solved", "app:scoring", "puzzle.solved", false),
        ("app:scoring", "topic:pubsub/puzzle.solved.dead", "dead letters", true),
        ("topic:pubsub/puzzle.solved.dead", "app:scoring", "owner", true),
        ("app:scoring", "topic:pubsub/points.awarded", "points.awarded", false),
        ("topic:pubsub/points.awarded", "app:leaderboard", "points.awarded", false),
        ("app:leaderboard", "topic:pubsub/points.awarded.dead", "dead letters", true),
        ("topic:pubsub/points.awarded.dead", "app:leaderboard", "owner", true),
        ("app:prizes", "topic:pubsub/prize.claimed", "prize.claimed", false),
        ("topic:pubsub/prize.claimed", "app:leaderboard", "prize.claimed", false),
        ("app:leaderboard", "topic:pubsub/prize.claimed.dead", "dead letters", true),
        ("topic:pubsub/prize.claimed.dead", "app:leaderboard", "owner", true),
    ];

    [Fact]
    public async Task Mermaid_has_every_producer_topic_consumer_and_dead_letter_edge_and_no_other()
    {
        var run = await CliRun.Of("graph", RepositoryLayout.Root);

        Assert.Equal(0, run.ExitCode);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("flowchart LR", lines[0]);
        var expected = Edges.Select(e => $"  {MermaidNode(e.From)} {(e.Dashed ? "-." : "--")} {e.Label} {(e.Dashed ? ".->" : "-->")} {MermaidNode(e.To)}");
        Assert.Equal(expected.Order(StringComparer.Ordinal), lines.Skip(1).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Dot_has_every_producer_topic_consumer_and_dead_letter_edge_and_no_other()
    {
        var run = await CliRun.Of("graph", RepositoryLayout.Root, "--format", "dot");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("digraph events {", run.Output, StringComparison.Ordinal);
        Assert.EndsWith("}\n", run.Output, StringComparison.Ordinal);
        var edges = run.Output.Split('\n').Where(l => l.Contains(" -> ", StringComparison.Ordinal));
        var expected = Edges.Select(e => $"  {Id(e.From)} -> {Id(e.To)} [label=\"{e.Label}\"{(e.Dashed ? ", style=dashed" : "")}];");
        Assert.Equal(expected.Order(StringComparer.Ordinal), edges.Order(StringComparer.Ordinal));
        // Every node is declared once with its label: apps as boxes, topics as cylinders.
        foreach (var node in Edges.SelectMany(e => new[] { e.From, e.To }).Distinct())
        {
            var label = node[(node.IndexOf(':', StringComparison.Ordinal) + 1)..];
            var shape = node.StartsWith("topic:", StringComparison.Ordinal) ? "cylinder" : "box";
            Assert.Single(run.Output.Split('\n'), l => l == $"  {Id(node)} [label=\"{label}\", shape={shape}];");
        }
    }

    [Theory]
    [MemberData(nameof(CorpusTests.Cases), MemberType = typeof(CorpusTests))]
    public async Task Graph_of_a_broken_project_draws_what_it_can_without_a_stack_trace(string name)
    {
        using var corpusCase = CorpusCase.Lay(name);

        var mermaid = await CliRun.Of("graph", corpusCase.Root);
        var dot = await CliRun.Of("graph", corpusCase.Root, "--format", "dot");

        mermaid.AssertNoStackTrace();
        dot.AssertNoStackTrace();
        Assert.Equal(0, mermaid.ExitCode);
        Assert.Equal(0, dot.ExitCode);
        Assert.StartsWith("flowchart LR\n", mermaid.Output, StringComparison.Ordinal);
        Assert.StartsWith("digraph events {\n", dot.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Graph_of_a_missing_folder_exits_2()
    {
        var run = await CliRun.Of("graph", Path.Combine(Path.GetTempPath(), "veltrix-no-such-folder-" + Guid.NewGuid().ToString("N")));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error[VX5090]", run.Error, StringComparison.Ordinal);
    }

    private static string MermaidNode(string node) => node.StartsWith("topic:", StringComparison.Ordinal)
        ? $"{Id(node)}[(\"{node[6..]}\")]"
        : $"{Id(node)}[\"{node[4..]}\"]";

    // Node IDs: the node name with every character that is not an ASCII letter or digit as '_' (topic:pubsub/a.b → topic_pubsub_a_b).
    private static string Id(string node) => string.Concat(node.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_'));
}
