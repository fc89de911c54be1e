namespace Veltrix.ServiceDefaults.CloudEvents;

/// <summary>
/// The request headers <c>UseCloudEvents</c> adds for a single delivery when <c>ForwardCloudEventPropertiesAsHeaders</c>
/// is on (MapDefaultEndpoints turns it on): the envelope's attributes survive the unwrapping of the body into its data.
/// </summary>
public static class CloudEventHeaders
{
    public const string Prefix = "Cloudevent.";
    public const string Id = Prefix + "id";
    public const string Type = Prefix + "type";
    public const string Topic = Prefix + "topic";

    /// <summary>The header carrying the CloudEvent extension <paramref name="name"/> (e.g. <c>veltrixversion</c>).</summary>
    public static string For(string name) => Prefix + name;
}
