using Microsoft.Extensions.Options;

namespace Veltrix.ServiceDefaults.Limits;

/// <summary>Refuses start-up on a limit that cannot work, naming the setting, instead of failing every request later.</summary>
internal sealed class ServiceLimitsOptionsValidator : IValidateOptions<ServiceLimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, ServiceLimitsOptions options) =>
        options.MaxRequestBodyBytes > 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{ServiceLimitsOptions.SectionName}:{nameof(ServiceLimitsOptions.MaxRequestBodyBytes)} is {options.MaxRequestBodyBytes}; it must be a positive number of bytes (default {ServiceLimitsOptions.DefaultMaxRequestBodyBytes}).");
}
