namespace Veltrix.ServiceDefaults.Limits;

/// <summary>Request bounds every service enforces (section <c>Veltrix</c> of configuration).</summary>
public sealed class ServiceLimitsOptions
{
    public const string SectionName = "Veltrix";
    public const long DefaultMaxRequestBodyBytes = 1024 * 1024;

    /// <summary><c>Veltrix:MaxRequestBodyBytes</c>: larger bodies get 413 VX3004 before the handler runs.</summary>
    public long MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;
}
