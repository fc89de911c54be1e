using System.Text;
using Veltrix.Events.Model;

namespace Veltrix.Cli.Graph;

/// <summary>The event topology — producers → topics → consumers, and dead-letter topics → their owners — as Mermaid or DOT.</summary>
public static class TopologyGraph
{
    public static string Mermaid(IReadOnlyList<EventConfiguration> configurations)
    {
        var text = new StringBuilder("flowchart LR\n");
        foreach (var (from, to, label, dashed) in Edges(configurations))
            text.Append("  ").Append(Node(from)).Append(dashed ? " -. " : " -- ").Append(Escape(label)).Append(dashed ? " .-> " : " --> ").Append(Node(to)).Append('\n');
        return text.ToString();

        static string Node(string id) => id.StartsWith("topic:", StringComparison.Ordinal)
            ? $"{Id(id)}[(\"{Escape(id[6..])}\")]"
            : $"{Id(id)}[\"{Escape(id[4..])}\"]";
        static string Escape(string text) => text.Replace("\"", "'", StringComparison.Ordinal);
    }

    public static string Dot(IReadOnlyList<EventConfiguration> configurations)
    {
        var text = new StringBuilder("digraph events {\n  rankdir=LR;\n");
        foreach (var node in Edges(configurations).SelectMany(e => new[] { e.From, e.To }).Distinct())
            text.Append("  ").Append(Id(node)).Append(" [label=\"").Append(node[(node.IndexOf(':', StringComparison.Ordinal) + 1)..])
                .Append(node.StartsWith("topic:", StringComparison.Ordinal) ? "\", shape=cylinder];\n" : "\", shape=box];\n");
        foreach (var (from, to, label, dashed) in Edges(configurations))
            text.Append("  ").Append(Id(from)).Append(" -> ").Append(Id(to)).Append(" [label=\"").Append(label).Append('"').Append(dashed ? ", style=dashed" : "").Append("];\n");
        return text.Append("}\n").ToString();
    }

    /// <summary>Nodes are `app:&lt;id&gt;` and `topic:&lt;pubsub&gt;/&lt;topic&gt;`; dashed edges carry dead letters.</summary>
    private static IEnumerable<(string From, string To, string Label, bool Dashed)> Edges(IReadOnlyList<EventConfiguration> configurations)
    {
        var seen = new HashSet<(string, string, string)>();
        foreach (var e in configurations.SelectMany(c => c.Events))
        {
            var topic = $"topic:{e.PubSub}/{e.Topic}";
            foreach (var producer in e.Producers)
                if (seen.Add(($"app:{producer}", topic, e.Type))) yield return ($"app:{producer}", topic, e.Type, false);
            foreach (var consumer in e.Consumers)
                if (seen.Add((topic, $"app:{consumer.App}", e.Type))) yield return (topic, $"app:{consumer.App}", e.Type, false);
            if (e.DeadLetter is { } dead)
            {
                var deadTopic = $"topic:{e.PubSub}/{dead.Topic}";
                foreach (var consumer in e.Consumers)
                    if (seen.Add(($"app:{consumer.App}", deadTopic, "dead letters"))) yield return ($"app:{consumer.App}", deadTopic, "dead letters", true);
                if (seen.Add((deadTopic, $"app:{dead.Owner}", "owner"))) yield return (deadTopic, $"app:{dead.Owner}", "owner", true);
            }
        }
    }

    private static string Id(string node)
    {
        var id = new StringBuilder(node.Length);
        foreach (var c in node) id.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        return id.ToString();
    }
}
