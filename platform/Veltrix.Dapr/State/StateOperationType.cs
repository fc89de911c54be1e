namespace Veltrix.Dapr.Client;

/// <summary>The two operations a state transaction accepts.</summary>
public enum StateOperationType
{
    Upsert,
    Delete,
}
