namespace Veltrix.Sidecar.Resiliency;

/// <summary>How one attempt ended, as far as retrying is concerned; the HTTP status feeds `matching.httpStatusCodes`.</summary>
public readonly record struct AttemptVerdict(bool Retriable, int? HttpStatus)
{
    public static AttemptVerdict Done => new(false, null);

    public static AttemptVerdict Retry(int? status) => new(true, status);
}
