using System.Text.Json;
using Veltrix.Sidecar.Api;

namespace Veltrix.Sidecar.Delivery;

public enum DeliveryStatus
{
    Success,
    Retry,
    Drop,

    /// <summary>Acked and not forwarded anywhere (a bulk delivery answered 404, as daprd does).</summary>
    Discard,
}

/// <summary>How the app answered one delivery, read by daprd's table (contract §2.3).</summary>
public sealed record DeliveryOutcome(DeliveryStatus Status, int? HttpStatus, string Reason)
{
    public static DeliveryOutcome From(AppResponse response)
    {
        if (response.Status is null) return new(DeliveryStatus.Retry, null, response.Failure ?? "no answer");
        var status = response.Status.Value;
        if (status == 404) return new(DeliveryStatus.Drop, 404, "the app answered 404 (no such route)");
        if (status is < 200 or >= 300) return new(DeliveryStatus.Retry, status, $"the app answered {status}");
        if (response.Body.Length == 0) return new(DeliveryStatus.Success, status, "");
        AppStatusResponse? answer;
        try
        {
            answer = JsonSerializer.Deserialize(response.Body, SidecarJson.Default.AppStatusResponse);
        }
        catch (JsonException)
        {
            return new(DeliveryStatus.Success, status, ""); // a 2xx body that is not JSON counts as SUCCESS, as in daprd
        }
        return answer?.Status switch
        {
            null or "" or "SUCCESS" => new(DeliveryStatus.Success, status, ""),
            "RETRY" => new(DeliveryStatus.Retry, null, "the app answered RETRY"), // carries no HTTP status: matching.httpStatusCodes does not apply
            "DROP" => new(DeliveryStatus.Drop, status, "the app answered DROP"),
            var other => new(DeliveryStatus.Retry, null, $"the app answered unknown status '{other}' (statuses are case-sensitive)"),
        };
    }

    public Resiliency.AttemptVerdict Verdict => Status == DeliveryStatus.Retry ? Resiliency.AttemptVerdict.Retry(HttpStatus) : Resiliency.AttemptVerdict.Done;
}
