namespace Veltrix.Dapr.Tests.Infrastructure;

/// <summary>The payload the pub/sub and state tests move around.</summary>
public sealed record Order(string OrderId, int Quantity);
