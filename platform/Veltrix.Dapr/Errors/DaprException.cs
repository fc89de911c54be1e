namespace Veltrix.Dapr;

/// <summary>The base of every error this library raises about the sidecar (same name and role as the Dapr SDK's).</summary>
public class DaprException : Exception
{
    public DaprException(string message) : base(message) { }
    public DaprException(string message, Exception? innerException) : base(message, innerException) { }
}
