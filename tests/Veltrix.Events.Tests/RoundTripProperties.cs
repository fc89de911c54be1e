using FsCheck;
using FsCheck.Fluent;
using Veltrix.Events.Checks;
using Veltrix.Events.Reading;
using Veltrix.Events.Writing;
using Veltrix.Resources.Components;
using Veltrix.Resources.Diagnostics;
using Veltrix.Resources.Resiliency;

namespace Veltrix.Events.Tests;

/// <summary>
/// Random valid configurations survive the writer and the reader unchanged, with no diagnostic, and pass the checks
/// against a context that knows their pub/subs, apps and (bounded) retry policies.
/// </summary>
public sealed class RoundTripProperties
{
    private const int Cases = 300;

    private static Config Config => Config.QuickThrowOnFailure.WithMaxTest(Cases);

    [Fact]
    public void Written_then_read_is_the_same_configuration_without_diagnostics()
    {
        Prop.ForAll(ValidConfigurations.Configurations.ToArbitrary(), generated =>
        {
            var yaml = EventConfigurationWriter.ToYaml(generated.Configuration);
            var diagnostics = new List<Diagnostic>();

            var read = EventConfigurationReader.ReadText("events/generated.yaml", yaml, diagnostics);

            Assert.True(diagnostics.Count == 0, string.Join('\n', diagnostics) + "\n" + yaml);
            var configuration = Assert.Single(read);
            var differences = ConfigurationComparer.Differences(generated.Configuration, configuration);
            Assert.True(differences.Count == 0, string.Join('\n', differences) + "\n" + yaml);
        }).Check(Config);
    }

    [Fact]
    public void Read_back_it_passes_the_checks_against_its_pubsubs_apps_and_retry_policies()
    {
        Prop.ForAll(ValidConfigurations.Configurations.ToArbitrary(), generated =>
        {
            var yaml = EventConfigurationWriter.ToYaml(generated.Configuration);
            var diagnostics = new List<Diagnostic>();
            var configuration = Assert.Single(EventConfigurationReader.ReadText("events/generated.yaml", yaml, diagnostics));

            EventConfigurationChecks.Check(configuration, ContextFor(generated), new DiagnosticSink(diagnostics));

            var errors = diagnostics.Where(d => d.IsError).ToList();
            Assert.True(errors.Count == 0, string.Join('\n', errors) + "\n" + yaml);
        }).Check(Config);
    }

    [Fact]
    public void The_generator_makes_awkward_text_and_every_optional_part()
    {
        // The properties above are only as strong as what they are given: this keeps the generator honest.
        var sample = ValidConfigurations.Configurations.Sample(Cases, 50);
        var events = sample.SelectMany(g => g.Configuration.Events).ToList();
        var texts = sample.SelectMany(g => g.Apps.Concat(g.PubSubs).Concat(g.Retries)).Concat(events.SelectMany(e => e.Consumers.Select(c => c.Route))).ToList();

        foreach (var awkward in new[] { "\"", "\\", ":", "#", "[", "{", "\t", "\u007f", "\u0085", "\u2028", "注文", "📦" })
            Assert.Contains(texts, t => t.Contains(awkward, StringComparison.Ordinal));
        Assert.Contains(events, e => e.OrderingKey is not null);
        Assert.Contains(events, e => e.Ttl is not null);
        Assert.Contains(events, e => e.Retry is not null);
        Assert.Contains(events, e => e.DeadLetter is not null);
        Assert.Contains(events, e => e.RawPayload);
        Assert.Contains(events, e => e.Consumers.Any(c => c.Bulk is not null) && e.Consumers.Any(c => c.MaxConcurrency is not null));
        Assert.Contains(events, e => e.Schema.Any(f => !f.Required));
        Assert.Contains(events, e => e.Consumers.Count == 0);
        Assert.Contains(sample, g => g.Configuration.Events.Count == 0);
    }

    private static CheckContext ContextFor(Generated generated)
    {
        var at = new SourceLocation("components/generated.yaml", 1, 1);
        var components = generated.PubSubs.Select(name => new ComponentResource(name, "pubsub.in-memory", "v1", [], [], at)).ToList();
        var retries = generated.Retries.ToDictionary(name => name,
            name => new RetrySpec(name, RetryKind.Constant, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), MaxRetries: 3, HttpStatusCodes: null), StringComparer.Ordinal);
        var resiliency = new ResiliencyResource("generated", [], new Dictionary<string, TimeSpan>(), retries, new Dictionary<string, CircuitBreakerSpec>(), [], at);
        return new CheckContext(components, [resiliency], [], generated.Apps);
    }
}
