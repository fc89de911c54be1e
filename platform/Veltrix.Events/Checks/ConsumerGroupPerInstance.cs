using Veltrix.Events.Model;
using Veltrix.Resources.Components;
using Veltrix.Resources.Diagnostics;

namespace Veltrix.Events.Checks;

/// <summary>
/// `consumerID: "{uuid}"` gives every sidecar start a consumer group of its own. That is how a broadcast to every
/// instance is written, but Veltrix consumers are competing consumers — one delivery per app: with the placeholder,
/// two instances of an app each handle every event, and after a restart the app joins a new, empty group, so what was
/// published while it was down stays in the old group's queue (RabbitMQ) or is skipped (Kafka's newest offset) —
/// pain point C10, "{uuid} makes every pod a separate group". (deploy/ replicas are VX7007's.)
/// </summary>
internal static class ConsumerGroupPerInstance
{
    private static readonly string[] GroupKeys = ["consumerID", "consumerGroup"];

    public static void Check(IReadOnlyList<EventConfiguration> configurations, CheckContext context, DiagnosticSink sink)
    {
        foreach (var component in (context.Components ?? []).Where(c => c.BuildingBlock == "pubsub"))
        {
            if (component.Metadata.FirstOrDefault(m => GroupKeys.Contains(m.Name, StringComparer.OrdinalIgnoreCase) && m.Value.Contains("{uuid}", StringComparison.OrdinalIgnoreCase)) is not { } entry)
                continue;
            var consumed = configurations.SelectMany(c => c.Events)
                .FirstOrDefault(d => d.PubSub == component.Name && d.Consumers.Any(consumer => component.AppliesTo(consumer.App)));
            if (consumed is null) continue;
            sink.Warning(EventErrorCodes.ConsumerGroupPerInstance, entry.ValueLocation ?? entry.Location,
                $"{entry.Name} '{entry.Value}' of pub/sub '{component.Name}' makes a new consumer group at every sidecar start: each instance of a consumer app handles every event (e.g. '{consumed.Type}'), and events published while an app is down never reach it",
                $"remove '{entry.Name}' so each app gets one group named after its app ID (Dapr's default), shared by its instances", consumed.At("consumers"));
        }
    }
}
