using Veltrix.Sidecar.Hosting;

namespace Veltrix.Sidecar.Components;

/// <summary>What every component may use: logging, time, and the sidecar's configured bounds.</summary>
public sealed record ComponentContext(ILoggerFactory LoggerFactory, TimeProvider Time, SidecarOptions Options);
