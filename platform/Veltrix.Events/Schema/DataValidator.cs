using System.Globalization;
using System.Text.Json;
using Veltrix.Events.Model;

namespace Veltrix.Events.Schema;

/// <summary>
/// Checks an event's `data` against its schema: every required field present (a required string also non-empty), every
/// field of its type, no field the schema does not declare. The message names the field, as `data.&lt;field&gt;`.
/// </summary>
public static class DataValidator
{
    public static string? Validate(JsonElement data, EventDefinition definition, int maxStringLength)
    {
        if (data.ValueKind != JsonValueKind.Object)
            return $"'data' must be an object with {string.Join(", ", definition.Schema.Select(f => f.Name))}";
        foreach (var field in definition.Schema)
        {
            if (!data.TryGetProperty(field.Name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                if (field.Required) return $"'data.{field.Name}' is missing ({Name(field.Type)}, required)";
                continue;
            }
            if (Check(value, field, maxStringLength) is { } problem) return $"'data.{field.Name}' {problem}";
        }
        foreach (var property in data.EnumerateObject())
            if (definition.Schema.All(f => f.Name != property.Name))
                return $"'data.{property.Name}' is not a field of {definition.Type}; its fields are: {string.Join(", ", definition.Schema.Select(f => f.Name))}";
        return null;
    }

    private static string? Check(JsonElement value, FieldSchema field, int maxStringLength) => field.Type switch
    {
        FieldType.String when value.ValueKind != JsonValueKind.String => MustBe("a string", value),
        FieldType.String when field.Required && value.GetString()!.Length == 0 => "must not be empty",
        FieldType.String when value.GetString()!.Length > maxStringLength => $"is longer than {maxStringLength} characters",
        FieldType.Integer when value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out _) => MustBe("a whole number", value),
        FieldType.Number when value.ValueKind != JsonValueKind.Number => MustBe("a number", value),
        FieldType.Boolean when value.ValueKind is not (JsonValueKind.True or JsonValueKind.False) => MustBe("true or false", value),
        FieldType.Timestamp when value.ValueKind != JsonValueKind.String
            || !DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _) => MustBe("an RFC 3339 timestamp", value),
        FieldType.Object when value.ValueKind != JsonValueKind.Object => MustBe("an object", value),
        FieldType.Array when value.ValueKind != JsonValueKind.Array => MustBe("an array", value),
        _ => null,
    };

    private static string MustBe(string what, JsonElement value) => $"must be {what}, not {Describe(value)}";

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Shorten(value.GetString()!)}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    public static string Name(FieldType type) => type.ToString().ToLowerInvariant();
}
