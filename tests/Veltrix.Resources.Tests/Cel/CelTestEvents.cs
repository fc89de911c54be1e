using System.Text.Json;

namespace Veltrix.Resources.Tests.Cel;

internal static class CelTestEvents
{
    /// <summary>A CloudEvent with one field of every JSON kind under data.</summary>
    public static readonly JsonElement Order = Json("""
        {
          "specversion": "1.0",
          "type": "order.created",
          "source": "web",
          "id": "42",
          "data": {
            "priority": "high",
            "count": 5,
            "ratio": 0.5,
            "negative": -3,
            "thousand": 1000,
            "fiveDecimal": 5.0,
            "flag": true,
            "off": false,
            "nothing": null,
            "customer": { "tier": "gold" },
            "items": [1, 2],
            "text": "say \"hi\"\n\tit's",
            "backslash": "a\\b"
          }
        }
        """);

    public static JsonElement Json(string json) => JsonSerializer.Deserialize<JsonElement>(json);
}
