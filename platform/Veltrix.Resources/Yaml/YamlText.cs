using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Veltrix.Resources.Yaml;

/// <summary>Where and why a YAML text could not be read.</summary>
public sealed record YamlFailure(Mark Start, string Reason);

/// <summary>
/// Loads YAML text into YamlDotNet's node model, turning every way it can fail into a position and a reason. Most
/// malformed input raises YamlException with a mark; some (a mapping key where a value belongs, e.g. `a: b: [`) escapes
/// the node builder as InvalidOperationException or ArgumentException — then the position is where the parser itself
/// last stood, found by running it again event by event.
/// </summary>
public static class YamlText
{
    public static YamlStream? Load(string text, out YamlFailure? failure)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
            failure = null;
            return stream;
        }
        catch (YamlException e)
        {
            failure = new YamlFailure(e.Start, e.InnerException?.Message ?? e.Message);
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            failure = new YamlFailure(LastMark(text), "the structure cannot be read here (a key, list or anchor where a value belongs?)");
            return null;
        }
    }

    /// <summary>Where reading stops: the start of the last token the scanner produced before it (or the parser) gave up.</summary>
    private static Mark LastMark(string text)
    {
        var scanner = new Scanner(new StringReader(text));
        var last = new Mark(0, 1, 1);
        try
        {
            while (scanner.MoveNext()) last = scanner.Current!.Start;
        }
        catch (YamlException e)
        {
            return e.Start;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's own state broke on this token: the last one it read is where the text stops making sense.
        }
        return last;
    }
}
