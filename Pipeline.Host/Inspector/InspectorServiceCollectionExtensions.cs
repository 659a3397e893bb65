using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Host.Hosting;

namespace Pipeline.Host.Inspector;

/// <summary>Registers the inspector (the host side of <c>pbm</c>) in a host's services.</summary>
public static class InspectorServiceCollectionExtensions
{
    /// <summary>
    /// Adds the settings read from <c>pipeline.inspector</c>, the log ring and its logger provider,
    /// the built-in palettes (actor, log, stream, kafka, model, drift, alerts, dlq) and the TCP server as a
    /// hosted service. Further palettes: register more <see cref="IInspectorPalette"/> singletons.
    /// The model, drift and alerts palettes use <see cref="IModelCommands"/>, <see cref="IDriftFeed"/>
    /// and <see cref="IAlertFeed"/> when registered. Call after the logging providers are configured
    /// (after <c>ClearProviders</c>).
    /// </summary>
    public static IServiceCollection AddInspector(this IServiceCollection services, PipelineRuntime runtime, IReadOnlyDictionary<string, string> environment)
    {
        var settings = InspectorSettings.Create(runtime.Options.Config, environment);
        var buffer = new InspectorLogBuffer(settings.LogBuffer);
        services.AddSingleton(settings);
        services.AddSingleton(buffer);
        services.AddSingleton<ILoggerProvider>(new InspectorLoggerProvider(buffer, TimeProvider.System));
        services.AddSingleton<IInspectorPalette>(sp => new ActorPalette(sp.GetRequiredService<ActorSystem>()));
        services.AddSingleton<IInspectorPalette>(sp => new LogPalette(sp.GetRequiredService<InspectorLogBuffer>()));
        services.AddSingleton<IInspectorPalette>(sp => new StreamPalette(sp.GetRequiredService<ActorSystem>(), sp.GetRequiredService<PipelineRuntime>()));
        services.AddSingleton<IInspectorPalette>(sp => new KafkaPalette(sp.GetRequiredService<PipelineRuntime>()));
        services.AddSingleton<IInspectorPalette>(sp => new ModelPalette(sp.GetService<IModelCommands>()));
        services.AddSingleton<IInspectorPalette>(sp => new DriftPalette(sp.GetService<IDriftFeed>()));
        services.AddSingleton<IInspectorPalette>(sp => new AlertsPalette(sp.GetService<IAlertFeed>()));
        services.AddSingleton<IInspectorPalette>(sp => new DlqPalette(sp.GetRequiredService<PipelineRuntime>()));
        services.AddSingleton(sp => new InspectorDispatcher(sp.GetServices<IInspectorPalette>()));
        services.AddSingleton<InspectorServer>();
        services.AddHostedService(sp => sp.GetRequiredService<InspectorServer>());
        return services;
    }
}
