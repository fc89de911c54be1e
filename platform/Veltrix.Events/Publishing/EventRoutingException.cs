namespace Veltrix.Events.Publishing;

/// <summary>A publish the active configuration does not allow (undeclared type, app not a producer): a bug or a stale deploy, never retried.</summary>
public sealed class EventRoutingException(string code, string message, string help) : Exception($"{code}: {message} (help: {help})")
{
    public string Code { get; } = code;
    public string Help { get; } = help;
}
