using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Dapr.Client;

namespace Veltrix.Sagas;

/// <summary><c>services.AddSagas(o =&gt; …).Add(definition)</c>: the engine, its worker, the client and the metrics.</summary>
public static class SagaServiceCollectionExtensions
{
    public static SagaServicesBuilder AddSagas(this IServiceCollection services, Action<SagaOptions>? configure = null)
    {
        var options = new SagaOptions();
        configure?.Invoke(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.TryAddSingleton<ISagaStore>(sp => new DaprSagaStore(sp.GetRequiredService<DaprClient>(), options.StateStoreName));
        services.TryAddSingleton(sp => new SagaMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<SagaRegistry>();
        services.AddSingleton<SagaQueue>();
        services.AddSingleton(sp => new SagaEngine(sp.GetRequiredService<ISagaStore>(), sp.GetRequiredService<SagaRegistry>(), options,
            sp.GetRequiredService<TimeProvider>(), sp, sp.GetRequiredService<SagaMetrics>(), sp.GetRequiredService<ILogger<SagaEngine>>()));
        services.AddSingleton(sp => new SagaClient(sp.GetRequiredService<SagaEngine>(), sp.GetRequiredService<ISagaStore>(),
            sp.GetRequiredService<SagaRegistry>(), options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SagaClient>>(),
            sp.GetRequiredService<SagaQueue>()));
        services.AddHostedService<SagaWorker>();
        return new SagaServicesBuilder(services);
    }
}

public sealed class SagaServicesBuilder(IServiceCollection services)
{
    public IServiceCollection Services => services;

    public SagaServicesBuilder Add(ISagaDefinition definition)
    {
        services.AddSingleton(definition);
        return this;
    }
}
