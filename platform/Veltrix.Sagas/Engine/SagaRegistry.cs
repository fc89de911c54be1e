namespace Veltrix.Sagas;

/// <summary>The saga definitions this app runs, by name.</summary>
public sealed class SagaRegistry
{
    private readonly Dictionary<string, ISagaDefinition> _definitions = new(StringComparer.Ordinal);

    public SagaRegistry(IEnumerable<ISagaDefinition> definitions)
    {
        foreach (var definition in definitions)
            if (!_definitions.TryAdd(definition.Name, definition))
                throw new InvalidOperationException($"two sagas are registered as '{definition.Name}'; saga names must be unique per app.");
    }

    public IReadOnlyCollection<string> Names => _definitions.Keys;

    public bool TryGet(string name, out ISagaDefinition definition) => _definitions.TryGetValue(name, out definition!);
}
