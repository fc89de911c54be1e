using System.Text.Json;
using Veltrix.Events.Model;
using Veltrix.Events.Schema;

namespace Veltrix.Events.Tests;

public sealed class DataValidatorTests
{
    private static readonly EventDefinition Definition = new("order.placed",
    [
        new FieldSchema("orderId", FieldType.String),
        new FieldSchema("quantity", FieldType.Integer),
        new FieldSchema("total", FieldType.Number),
        new FieldSchema("paid", FieldType.Boolean),
        new FieldSchema("placedAt", FieldType.Timestamp),
        new FieldSchema("address", FieldType.Object),
        new FieldSchema("lines", FieldType.Array),
        new FieldSchema("note", FieldType.String, Required: false),
    ], "pubsub", "order.placed", ["gateway"], []);

    private const string Valid =
        """{"orderId": "o-1", "quantity": 3, "total": 12.5, "paid": true, "placedAt": "2026-11-30T06:00:00Z", "address": {"city": "Graz"}, "lines": [1, 2]}""";

    private static string? Validate(string json, int maxStringLength = 100)
    {
        using var document = JsonDocument.Parse(json);
        return DataValidator.Validate(document.RootElement, Definition, maxStringLength);
    }

    // The valid data with one field replaced (or removed, with null for json).
    private static string With(string field, string? json)
    {
        var fields = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Valid)!
            .ToDictionary(p => p.Key, p => p.Value.GetRawText());
        if (json is null) fields.Remove(field);
        else fields[field] = json;
        return "{" + string.Join(", ", fields.Select(f => $"\"{f.Key}\": {f.Value}")) + "}";
    }

    [Fact]
    public void Data_of_every_field_type_passes() => Assert.Null(Validate(Valid));

    [Theory]
    [InlineData("orderId", "42", "'data.orderId' must be a string, not the number 42")]
    [InlineData("quantity", "1.5", "'data.quantity' must be a whole number, not the number 1.5")]
    [InlineData("quantity", "\"3\"", "'data.quantity' must be a whole number, not the string \"3\"")]
    [InlineData("total", "\"12.5\"", "'data.total' must be a number, not the string \"12.5\"")]
    [InlineData("paid", "\"true\"", "'data.paid' must be true or false, not the string \"true\"")]
    [InlineData("paid", "1", "'data.paid' must be true or false, not the number 1")]
    [InlineData("placedAt", "\"yesterday\"", "'data.placedAt' must be an RFC 3339 timestamp, not the string \"yesterday\"")]
    [InlineData("placedAt", "1732950000", "'data.placedAt' must be an RFC 3339 timestamp, not the number 1732950000")]
    [InlineData("address", "[]", "'data.address' must be an object, not array")]
    [InlineData("lines", "{}", "'data.lines' must be an array, not object")]
    [InlineData("note", "false", "'data.note' must be a string, not false")]
    public void A_value_of_the_wrong_type_is_named_with_its_field(string field, string json, string message) =>
        Assert.Equal(message, Validate(With(field, json)));

    [Theory]
    [InlineData("orderId", "string")]
    [InlineData("quantity", "integer")]
    [InlineData("placedAt", "timestamp")]
    [InlineData("lines", "array")]
    public void A_required_field_missing_or_null_is_reported(string field, string type)
    {
        Assert.Equal($"'data.{field}' is missing ({type}, required)", Validate(With(field, null)));
        Assert.Equal($"'data.{field}' is missing ({type}, required)", Validate(With(field, "null")));
    }

    [Fact]
    public void An_optional_field_may_be_missing_null_or_empty()
    {
        Assert.Null(Validate(With("note", null)));
        Assert.Null(Validate(With("note", "null")));
        Assert.Null(Validate(With("note", "\"\"")));
        Assert.Null(Validate(With("note", "\"a note\"")));
    }

    [Fact]
    public void A_required_string_must_not_be_empty() =>
        Assert.Equal("'data.orderId' must not be empty", Validate(With("orderId", "\"\"")));

    [Fact]
    public void A_string_longer_than_the_limit_is_refused()
    {
        Assert.Null(Validate(With("note", "\"12345\""), maxStringLength: 5));
        Assert.Equal("'data.note' is longer than 5 characters", Validate(With("note", "\"123456\""), maxStringLength: 5));
    }

    [Fact]
    public void A_field_the_schema_does_not_declare_is_refused_with_the_fields_it_has() =>
        Assert.Equal("'data.coupon' is not a field of order.placed; its fields are: orderId, quantity, total, paid, placedAt, address, lines, note",
            Validate(With("coupon", "\"SAVE10\"")));

    [Theory]
    [InlineData("[]")]
    [InlineData("\"o-1\"")]
    [InlineData("null")]
    public void Data_that_is_not_an_object_is_refused(string json) =>
        Assert.Equal("'data' must be an object with orderId, quantity, total, paid, placedAt, address, lines, note", Validate(json));
}
