using FsCheck;
using FsCheck.Fluent;
using Veltrix.Events.Model;

namespace Veltrix.Events.Tests;

/// <summary>
/// Generates valid EventConfigurations: names, types and topics the reader accepts; unique types and topics;
/// consumers with absolute routes; optional bulk, maxConcurrency, ttl (whole seconds), an ordering key that is a
/// required field of the schema, retry and dead letters — and, wherever the format takes any text (apps, pub/subs,
/// routes, retry policies), awkward text: quotes, backslashes, colons, '#', brackets, control characters, non-ASCII.
/// </summary>
public static class ValidConfigurations
{
    private const string Lower = "abcdefghijklmnopqrstuvwxyz";
    private const string Digits = "0123456789";

    // Pieces of free text: plain letters most of the time, YAML's special characters and escapes the rest.
    private static readonly string[] Awkward =
    [
        "\"", "\\", ":", ": ", "#", " #", "'", "[", "]", "{", "}", ",", "&", "*", "!", "|", ">", "%", "@", "`", "-", "?", "~",
        "\t", "\u0001", "\u007f", "\u0085", "\u00a0", "\u2028", "ü", "注文", "📦", "null", "true", "0x1F", "1e3", " ",
    ];

    private static Gen<string> Chars(string alphabet, int min, int max) =>
        from n in Gen.Choose(min, max)
        from chars in Gen.ArrayOf(Gen.Elements(alphabet.ToCharArray()), n)
        select new string(chars);

    private static Gen<string> Word => Chars(Lower, 1, 6);

    private static Gen<string> Piece => Gen.Frequency((3, Word), (2, Gen.Elements(Awkward)));

    /// <summary>Free, non-empty text for app IDs, pub/sub and policy names.</summary>
    public static Gen<string> Text =>
        from n in Gen.Choose(1, 4)
        from pieces in Gen.ListOf(Piece, n)
        select string.Concat(pieces);

    // An absolute path without spaces (the reader refuses spaces in routes), the rest free.
    private static Gen<string> Route =>
        from n in Gen.Choose(1, 4)
        from pieces in Gen.ListOf(Piece, n)
        select "/" + string.Concat(pieces).Replace(" ", "", StringComparison.Ordinal).Replace("\t", "", StringComparison.Ordinal)
            .Replace("\u0085", "", StringComparison.Ordinal).Replace("\u00a0", "", StringComparison.Ordinal).Replace("\u2028", "", StringComparison.Ordinal);

    private static Gen<string> Segment => from first in Chars(Lower, 1, 1) from rest in Chars(Lower + Digits + "-", 0, 6) select first + rest;

    private static Gen<string> ConfigurationName => from first in Chars(Lower, 1, 1) from rest in Chars(Lower + Digits + ".-", 0, 20) select first + rest;

    private static Gen<string> FieldName => from first in Chars(Lower + "ABCXYZ", 1, 1) from rest in Chars(Lower + "ABCXYZ" + Digits + "_", 0, 8) select first + rest;

    private static Gen<string> TopicStem => Chars(Lower + "ABC" + Digits + "._-", 1, 12);

    private static Gen<FieldSchema> Field(string name) =>
        from type in Gen.Elements(Enum.GetValues<FieldType>())
        from required in Gen.Elements(true, false)
        select new FieldSchema(name, type, required);

    private static Gen<List<FieldSchema>> Schema =>
        from names in Gen.Choose(0, 5).SelectMany(n => Gen.ListOf(FieldName, n))
        from fields in Gen.CollectToList(names.Distinct(StringComparer.Ordinal), Field)
        select fields;

    private static Gen<EventConsumer> Consumer(string app) =>
        from route in Route
        from bulk in Gen.Frequency<BulkDelivery?>((2, Gen.Constant<BulkDelivery?>(null)),
            (1, from m in Gen.Choose(1, 10_000) from w in Gen.Choose(1, 60_000) select (BulkDelivery?)new BulkDelivery(m, w)))
        from concurrency in Gen.Frequency<int?>((2, Gen.Constant<int?>(null)), (1, Gen.Choose(1, 1_000).Select(c => (int?)c)))
        select new EventConsumer(app, route, bulk, concurrency);

    private static Gen<EventDefinition> Event(int index, IReadOnlyList<string> apps, IReadOnlyList<string> pubsubs, IReadOnlyList<string> retries) =>
        from segments in Gen.Choose(1, 3).SelectMany(n => Gen.ListOf(Segment, n))
        from topic in TopicStem
        from schema in Schema
        from pubsub in Gen.Elements(pubsubs.ToArray())
        from producers in Gen.SubListOf(apps.ToArray())
        from consumerApps in Gen.SubListOf(apps.ToArray())
        from consumers in Gen.CollectToList(consumerApps, Consumer)
        from lane in Gen.Elements(Enum.GetValues<Lane>())
        from orderingKey in Gen.Elements(schema.Where(f => f.Required).Select(f => f.Name).Prepend(null).ToArray())
        from ttl in Gen.Frequency<TimeSpan?>((1, Gen.Constant<TimeSpan?>(null)), (1, Gen.Choose(1, 86_400 * 30).Select(s => (TimeSpan?)TimeSpan.FromSeconds(s))))
        from retry in Gen.Elements(retries.Prepend(null).ToArray())
        from deadLetter in Gen.Frequency<DeadLetterSpec?>((1, Gen.Constant<DeadLetterSpec?>(null)),
            (1, from owner in Gen.Elements(apps.ToArray()) select (DeadLetterSpec?)new DeadLetterSpec($"{topic}_dl{index}", owner)))
        from raw in Gen.Elements(true, false)
        // The index keeps types and topics unique; dead-letter topics end in _dl<n>, event topics in -<n>, so they never meet.
        select new EventDefinition($"{string.Join('.', segments)}.v{index}", schema, pubsub, $"{topic}-{index}", producers, consumers, lane, orderingKey, ttl, retry, deadLetter, raw);

    /// <summary>A configuration with the apps, pub/subs and retry policies it uses (what a CheckContext must know).</summary>
    public static Gen<Generated> Configurations =>
        from name in ConfigurationName
        from apps in Gen.Choose(1, 4).SelectMany(n => Gen.ListOf(Text, n)).Select(a => a.Distinct(StringComparer.Ordinal).ToList())
        from pubsubs in Gen.Choose(1, 2).SelectMany(n => Gen.ListOf(Text, n)).Select(p => p.Distinct(StringComparer.Ordinal).ToList())
        from retries in Gen.Choose(0, 2).SelectMany(n => Gen.ListOf(Text, n)).Select(r => r.Distinct(StringComparer.Ordinal).ToList())
        from count in Gen.Choose(0, 4)
        from events in Gen.CollectToList(Enumerable.Range(1, count), i => Event(i, apps, pubsubs, retries))
        select new Generated(new EventConfiguration(name, events), apps, pubsubs, retries);
}

public sealed record Generated(EventConfiguration Configuration, IReadOnlyList<string> Apps, IReadOnlyList<string> PubSubs, IReadOnlyList<string> Retries)
{
    public override string ToString() => Writing.EventConfigurationWriter.ToYaml(Configuration);
}
