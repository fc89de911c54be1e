using Veltrix.Events.Model;

namespace Veltrix.Events.Tests;

/// <summary>
/// Structural comparison of two configurations, ignoring where they were read from (Location, KeyLocations, …):
/// the differences in words, empty when the two are the same configuration.
/// </summary>
public static class ConfigurationComparer
{
    public static IReadOnlyList<string> Differences(EventConfiguration expected, EventConfiguration actual)
    {
        var differences = new List<string>();
        Same("name", expected.Name, actual.Name);
        Same("event count", expected.Events.Count, actual.Events.Count);
        foreach (var (e, a) in expected.Events.Zip(actual.Events))
        {
            var at = $"event '{e.Type}'";
            Same($"{at} type", e.Type, a.Type);
            Same($"{at} schema", string.Join(", ", e.Schema.Select(Field)), string.Join(", ", a.Schema.Select(Field)));
            Same($"{at} pubsub", e.PubSub, a.PubSub);
            Same($"{at} topic", e.Topic, a.Topic);
            if (!e.Producers.SequenceEqual(a.Producers, StringComparer.Ordinal))
                differences.Add($"{at} producers: expected {string.Join(" | ", e.Producers.Select(Show))}, read {string.Join(" | ", a.Producers.Select(Show))}");
            Same($"{at} consumer count", e.Consumers.Count, a.Consumers.Count);
            foreach (var (ec, ac) in e.Consumers.Zip(a.Consumers))
            {
                Same($"{at} consumer app", ec.App, ac.App);
                Same($"{at} consumer '{ec.App}' route", ec.Route, ac.Route);
                Same($"{at} consumer '{ec.App}' bulk", ec.Bulk, ac.Bulk);
                Same($"{at} consumer '{ec.App}' maxConcurrency", ec.MaxConcurrency, ac.MaxConcurrency);
            }
            Same($"{at} lane", e.Lane, a.Lane);
            Same($"{at} orderingKey", e.OrderingKey, a.OrderingKey);
            Same($"{at} ttl", e.Ttl, a.Ttl);
            Same($"{at} retry", e.Retry, a.Retry);
            Same($"{at} deadLetter topic", e.DeadLetter?.Topic, a.DeadLetter?.Topic);
            Same($"{at} deadLetter owner", e.DeadLetter?.Owner, a.DeadLetter?.Owner);
            Same($"{at} rawPayload", e.RawPayload, a.RawPayload);
        }
        return differences;

        void Same<T>(string what, T left, T right)
        {
            if (!EqualityComparer<T>.Default.Equals(left, right)) differences.Add($"{what}: expected {Show(left)}, read {Show(right)}");
        }
    }

    private static string Field(FieldSchema field) => $"{field.Name}:{field.Type}:{(field.Required ? "required" : "optional")}";

    private static string Show<T>(T value) => value is null ? "null" : value is string s ? $"\"{string.Join(' ', s.Select(c => ((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)))}\" ({s})" : value.ToString()!;
}
