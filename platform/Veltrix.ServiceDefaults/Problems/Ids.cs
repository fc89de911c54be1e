using System.Text;

namespace Veltrix.ServiceDefaults;

/// <summary>
/// The one rule for ids a client chooses (hunt, puzzle, player, claim, event ids) and the one answer when an id breaks
/// it: 400 <see cref="ServiceErrorCodes.InvalidId"/> naming the field. Ids end up inside state keys (Dapr refuses
/// <c>||</c> there), inside URLs (a <c>/</c>, <c>?</c>, <c>#</c> or <c>%</c> written through a body cannot be read
/// back through a path segment unchanged) and in logs (control characters, lone surrogates). Refusing them once, at the
/// edge, is simpler and more honest than escaping them differently in every store and route.
/// </summary>
public static class Ids
{
    public const int MaxLength = 200;

    /// <summary>The characters an id may not hold besides control characters and lone surrogates, as the message lists them.</summary>
    private const string Forbidden = "/\\|?#%";

    /// <summary>What is wrong with <paramref name="value"/> as an id, or null when it is a good one.</summary>
    public static string? Problem(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "is missing or empty";
        if (value.Length > MaxLength) return $"has {value.Length} characters; an id has at most {MaxLength}";
        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1])) return "starts or ends with white space";
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }
            if (char.IsSurrogate(c)) return $"holds a lone UTF-16 surrogate at position {i}, which is not text";
            if (char.IsControl(c)) return $"holds the control character U+{(int)c:X4} at position {i}";
            if (Forbidden.Contains(c, StringComparison.Ordinal)) return $"holds '{c}' at position {i}";
        }
        return null;
    }

    /// <summary>True when <paramref name="value"/> is a good id.</summary>
    public static bool IsValid([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value) => Problem(value) is null;

    /// <summary>The sentence a client reads: the field, what is wrong, and what an id may hold.</summary>
    public static string Describe(string field, string problem) =>
        $"'{field}' {problem}. An id is 1 to {MaxLength} characters of text without control characters, without white space at either end and without any of {string.Join(' ', Forbidden.ToCharArray())}";

    /// <summary>400 VX3010 naming <paramref name="field"/> when <paramref name="value"/> is not a good id; null when it is.</summary>
    public static IResult? Check(string field, string? value) =>
        Problem(value) is { } problem
            ? Problems.Create(StatusCodes.Status400BadRequest, ServiceErrorCodes.InvalidId, "Invalid id", Describe(field, problem),
                new Dictionary<string, object?> { ["field"] = field })
            : null;

    /// <summary>The first of several (field, value) pairs that is not a good id, as a 400 VX3010; null when all are good.</summary>
    public static IResult? Check(params ReadOnlySpan<(string Field, string? Value)> ids)
    {
        foreach (var (field, value) in ids)
            if (Check(field, value) is { } problem) return problem;
        return null;
    }

    /// <summary>Text safe to put into a log line or a message: control characters and lone surrogates as <c>\uXXXX</c>, at most 80 characters.</summary>
    public static string Printable(string? value)
    {
        if (value is null) return "";
        var text = new StringBuilder(Math.Min(value.Length, 80));
        for (var i = 0; i < value.Length && text.Length < 80; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) text.Append(c).Append(value[++i]);
            else if (char.IsControl(c) || char.IsSurrogate(c)) text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            else text.Append(c);
        }
        return value.Length > 80 ? text.Append('…').ToString() : text.ToString();
    }
}
