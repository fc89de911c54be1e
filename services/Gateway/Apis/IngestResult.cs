namespace Veltrix.Gateway.Apis;

public sealed record RejectedEvent(int Index, string Code, string Message);

/// <summary>202: how many events were accepted, and why each other one was not (resend those marked VX3006).</summary>
public sealed record IngestResult(int Accepted, IReadOnlyList<RejectedEvent> Rejected);
