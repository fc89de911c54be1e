using Veltrix.Events.Diffing;
using Veltrix.Events.Model;
using Veltrix.Events.Reading;
using Veltrix.Resources.Diagnostics;

namespace Veltrix.Events.Tests;

public sealed class ConfigurationDiffTests
{
    private const string Before = """
        apiVersion: veltrix.io/v1alpha1
        kind: EventConfiguration
        metadata:
          name: shop
        spec:
          events:
            - type: order.placed
              schema:
                orderId: string
                total: number
              pubsub: pubsub
              topic: order.placed
              producers: [gateway]
              consumers:
                - app: orders
                  route: /events/order-placed
            - type: order.cancelled
              schema: {orderId: string}
              pubsub: pubsub
              topic: order.cancelled
              producers: [gateway]
              consumers: []
        """;

    private static EventConfiguration Read(string yaml)
    {
        var diagnostics = new List<Diagnostic>();
        var configuration = Assert.Single(EventConfigurationReader.ReadText("events/shop.yaml", yaml, diagnostics));
        Assert.Empty(diagnostics);
        return configuration;
    }

    private static ConfigurationDiff Diff(string after) => ConfigurationDiff.Between(Read(Before), Read(after));

    private static IReadOnlyList<string> ChangesOf(ConfigurationDiff diff, string type) => Assert.Single(diff.Changed, c => c.Type == type).Changes;

    [Fact]
    public void The_same_configuration_written_elsewhere_in_the_file_is_no_change()
    {
        // Every location moves down two lines and the consumer's keys swap places: positions are not configuration.
        var after = "# a comment\n# another\n" + Before.Replace("- app: orders\n          route: /events/order-placed", "- route: /events/order-placed\n          app: orders", StringComparison.Ordinal);
        Assert.Contains("- route: /events/order-placed\n          app: orders", after, StringComparison.Ordinal);
        Assert.NotEqual(Read(Before).Events[0].Consumers[0].AppLocation, Read(after).Events[0].Consumers[0].AppLocation);

        var diff = Diff(after);

        Assert.True(diff.IsEmpty, string.Join("; ", diff.Changed.SelectMany(c => c.Changes)));
    }

    [Fact]
    public void An_added_and_a_removed_event_type_are_listed()
    {
        var diff = Diff(Before.Replace("order.cancelled", "order.shipped", StringComparison.Ordinal));

        Assert.Equal(["order.shipped"], diff.Added);
        Assert.Equal(["order.cancelled"], diff.Removed);
        Assert.Empty(diff.Changed);
        Assert.False(diff.IsEmpty);
    }

    [Fact]
    public void A_changed_topic_is_shown_old_to_new()
    {
        var diff = Diff(Before.Replace("topic: order.placed", "topic: orders.v2", StringComparison.Ordinal));

        Assert.Equal(["topic: order.placed → orders.v2"], ChangesOf(diff, "order.placed"));
        Assert.Empty(diff.Added);
        Assert.Empty(diff.Removed);
    }

    [Fact]
    public void Consumers_added_and_removed_are_listed()
    {
        var diff = Diff(Before.Replace("consumers: []", "consumers:\n        - app: billing\n          route: /events/order-cancelled", StringComparison.Ordinal)
            .Replace("      consumers:\n        - app: orders\n          route: /events/order-placed", "      consumers: []", StringComparison.Ordinal));

        Assert.Equal(["consumers: - orders"], ChangesOf(diff, "order.placed"));
        Assert.Equal(["consumers: + billing"], ChangesOf(diff, "order.cancelled"));
    }

    [Fact]
    public void A_consumer_whose_route_bulk_or_concurrency_changes_is_listed()
    {
        var diff = Diff(Before.Replace("route: /events/order-placed", "route: /events/placed\n          bulk: {maxMessages: 10, maxAwaitMs: 20}\n          maxConcurrency: 4", StringComparison.Ordinal));

        Assert.Equal(
            ["consumer orders route: /events/order-placed → /events/placed", "consumer orders bulk: off → 10/20ms", "consumer orders maxConcurrency: none → 4"],
            ChangesOf(diff, "order.placed"));
    }

    [Fact]
    public void Schema_fields_added_removed_and_changed_are_listed()
    {
        var diff = Diff(Before.Replace("        orderId: string\n        total: number", "        orderId: integer\n        currency: {type: string, required: false}", StringComparison.Ordinal));

        Assert.Equal(["schema: + currency (string, optional)", "schema: - total (number)", "schema: orderId (string) → orderId (integer)"], ChangesOf(diff, "order.placed"));
    }

    [Fact]
    public void A_field_made_optional_is_a_change()
    {
        var diff = Diff(Before.Replace("schema: {orderId: string}", "schema: {orderId: {type: string, required: false}}", StringComparison.Ordinal));

        Assert.Equal(["schema: orderId (string) → orderId (string, optional)"], ChangesOf(diff, "order.cancelled"));
    }
}
