using System.Globalization;

namespace Veltrix.Resources.Components;

public enum MetadataValueKind
{
    String,
    Bool,
    Int,
    Duration,
    Enum,
}

/// <summary>One metadata key a component type understands, with the kind of value it takes.</summary>
public sealed record MetadataField(string Name, MetadataValueKind Kind = MetadataValueKind.String, bool Required = false, IReadOnlyList<string>? Values = null)
{
    public static MetadataField Bool(string name) => new(name, MetadataValueKind.Bool);
    public static MetadataField Int(string name) => new(name, MetadataValueKind.Int);
    public static MetadataField Duration(string name) => new(name, MetadataValueKind.Duration);
    public static MetadataField OneOf(string name, params string[] values) => new(name, MetadataValueKind.Enum, Values: values);
    public static MetadataField RequiredString(string name) => new(name, Required: true);

    /// <summary>Null when the value fits; otherwise what is wrong with it.</summary>
    public string? Check(string value) => Kind switch
    {
        MetadataValueKind.Bool when !bool.TryParse(value, out _) => $"'{value}' is not a boolean; write true or false",
        MetadataValueKind.Int when !long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) => $"'{value}' is not a whole number",
        MetadataValueKind.Duration when !GoDuration.TryParse(value, out _) => $"'{value}' is not a duration; write e.g. 500ms, 5s, 1m30s (or whole seconds)",
        MetadataValueKind.Enum when !Values!.Contains(value, StringComparer.OrdinalIgnoreCase) => $"'{value}' is not one of {string.Join(", ", Values!)}",
        _ => null,
    };
}
