using System.Globalization;
using System.Text;
using Veltrix.Events.Model;

namespace Veltrix.Events.Writing;

/// <summary>
/// Writes a configuration back as the YAML the reader reads — what `veltrix config show` prints and what a
/// configuration built in code is stored as. Every text value is double-quoted, so no value changes meaning.
/// </summary>
public static class EventConfigurationWriter
{
    public static string ToYaml(EventConfiguration configuration)
    {
        var yaml = new StringBuilder();
        yaml.Append("apiVersion: ").AppendLine(EventConfiguration.ApiVersion)
            .Append("kind: ").AppendLine(EventConfiguration.Kind)
            .AppendLine("metadata:")
            .Append("  name: ").AppendLine(Quote(configuration.Name))
            .AppendLine("spec:");
        if (configuration.Events.Count == 0)
        {
            yaml.AppendLine("  events: []");
            return yaml.ToString();
        }
        yaml.AppendLine("  events:");
        foreach (var e in configuration.Events)
        {
            yaml.Append("    - type: ").AppendLine(Quote(e.Type));
            if (e.Schema.Count == 0) yaml.AppendLine("      schema: {}");
            else
            {
                yaml.AppendLine("      schema:");
                foreach (var field in e.Schema)
                    yaml.Append("        ").Append(Quote(field.Name)).Append(": {type: ").Append(Name(field.Type))
                        .Append(", required: ").Append(field.Required ? "true" : "false").AppendLine("}");
            }
            yaml.Append("      pubsub: ").AppendLine(Quote(e.PubSub))
                .Append("      topic: ").AppendLine(Quote(e.Topic))
                .Append("      producers: [").Append(string.Join(", ", e.Producers.Select(Quote))).AppendLine("]");
            if (e.Consumers.Count == 0) yaml.AppendLine("      consumers: []");
            else
            {
                yaml.AppendLine("      consumers:");
                foreach (var c in e.Consumers)
                {
                    yaml.Append("        - app: ").AppendLine(Quote(c.App))
                        .Append("          route: ").AppendLine(Quote(c.Route));
                    if (c.Bulk is { } bulk)
                        yaml.Append("          bulk: {maxMessages: ").Append(Number(bulk.MaxMessages)).Append(", maxAwaitMs: ").Append(Number(bulk.MaxAwaitMs)).AppendLine("}");
                    if (c.MaxConcurrency is { } concurrency) yaml.Append("          maxConcurrency: ").AppendLine(Number(concurrency));
                }
            }
            yaml.Append("      lane: ").AppendLine(e.Lane.ToString().ToLowerInvariant());
            if (e.OrderingKey is { } key) yaml.Append("      orderingKey: ").AppendLine(Quote(key));
            if (e.Ttl is { } ttl) yaml.Append("      ttl: ").AppendLine(Number((long)ttl.TotalSeconds) + "s");
            if (e.Retry is { } retry) yaml.Append("      retry: ").AppendLine(Quote(retry));
            if (e.DeadLetter is { } dead)
                yaml.Append("      deadLetter: {topic: ").Append(Quote(dead.Topic)).Append(", owner: ").Append(Quote(dead.Owner)).AppendLine("}");
            if (e.RawPayload) yaml.AppendLine("      rawPayload: true");
        }
        return yaml.ToString();
    }

    private static string Name(FieldType type) => type.ToString().ToLowerInvariant();

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A YAML double-quoted scalar: backslash and quote escaped; control characters and Unicode line breaks as \uXXXX.</summary>
    private static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                // Control characters (C0, DEL, C1) are not allowed raw in YAML; NEL, LS and PS would be read as line breaks and folded.
                case < ' ' or (>= '\u007f' and <= '\u009f') or '\u2028' or '\u2029' or '\ufffe' or '\uffff':
                    quoted.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default: quoted.Append(c); break;
            }
        }
        return quoted.Append('"').ToString();
    }
}
