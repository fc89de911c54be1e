using System.Security.Cryptography;
using System.Text;
using Dapr.Workflow;
using Veltrix.Prizes.Domain;

namespace Veltrix.Prizes.Claims.Activities;

/// <summary>
/// Issues the claim's voucher. The code derives from the claim id and is stored first-write, so a second run returns
/// the code the first one stored. Transient failures (see <see cref="VoucherFaults"/>) are left to the retry policy.
/// </summary>
public sealed class IssueVoucherActivity(PrizeStore prizes, VoucherFaults faults) : WorkflowActivity<ClaimInput, string>
{
    public override async Task<string> RunAsync(WorkflowActivityContext context, ClaimInput claim)
    {
        faults.BeforeIssue(context.InstanceId);
        var code = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("voucher/" + context.InstanceId)))[..12];
        return await prizes.IssueVoucherAsync(context.InstanceId, $"VX-{code[..4]}-{code[4..8]}-{code[8..]}", CancellationToken.None);
    }
}
