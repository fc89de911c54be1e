using Dapr.Workflow;
using Veltrix.Prizes.Claims.Activities;

namespace Veltrix.Prizes.Claims;

public static class ClaimWorkflowRegistration
{
    /// <summary>
    /// The claim workflow and its activities on the official worker (<c>AddDaprWorkflow</c>), which connects to the
    /// sidecar's gRPC port like every Dapr.Workflow app; <see cref="Dapr.Workflow.DaprWorkflowClient"/> starts and reads claims.
    /// </summary>
    public static IHostApplicationBuilder AddClaimWorkflow(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ScoringDebits>();
        builder.Services.AddSingleton<VoucherFaults>();
        builder.Services.AddDaprWorkflow(options =>
        {
            options.RegisterWorkflow<ClaimWorkflow>();
            options.RegisterActivity<ReserveUnitActivity>();
            options.RegisterActivity<DebitPointsActivity>();
            options.RegisterActivity<IssueVoucherActivity>();
            options.RegisterActivity<PublishClaimedActivity>();
            options.RegisterActivity<RefundPointsActivity>();
            options.RegisterActivity<ReleaseUnitActivity>();
        });
        return builder;
    }
}
