using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Graph.Kafka;
using Pipeline.Host.Hosting;
using Pipeline.Host.Inspector;

namespace Pipeline.Host.Http;

/// <summary>
/// The status page: <c>/</c> and <c>/status</c> serve one self-contained HTML page (no external
/// assets) that polls <c>/api/status</c> every two seconds and draws throughput, lag, anomaly
/// rate, the score histogram, the drift timeline (drift events and model promotions), model
/// versions and recent alerts with reasons.
/// </summary>
public static class StatusEndpoints
{
    private static readonly Lazy<string> Page = new(() =>
    {
        using var stream = typeof(StatusEndpoints).Assembly.GetManifestResourceStream("StatusPage.html")
            ?? throw new InvalidOperationException("the status page resource StatusPage.html is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>
    /// Registers <see cref="StatusFeed"/> (also as <see cref="IStatusFeed"/>, as the
    /// <see cref="ILifecycleObserver"/> the lifecycle recorder calls, and as the <see cref="IDriftFeed"/>
    /// of <c>drift show</c> unless another is registered) and the sampler.
    /// </summary>
    public static IServiceCollection AddStatusPage(this IServiceCollection services)
    {
        services.AddSingleton(sp => new StatusFeed(clock: sp.GetService<TimeProvider>()));
        services.AddSingleton<IStatusFeed>(sp => sp.GetRequiredService<StatusFeed>());
        services.AddSingleton<ILifecycleObserver>(sp => sp.GetRequiredService<StatusFeed>());
        services.TryAddSingleton<IDriftFeed>(sp => sp.GetRequiredService<StatusFeed>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<StatusSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<StatusSampler>());
        return services;
    }

    /// <summary>Maps <c>/</c>, <c>/status</c> and <c>/api/status</c>.</summary>
    public static IEndpointRouteBuilder MapStatusPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Results.Content(Page.Value, "text/html; charset=utf-8"));
        app.MapGet("/status", () => Results.Content(Page.Value, "text/html; charset=utf-8"));
        app.MapGet("/api/status", async (HttpContext http, CancellationToken ct) =>
        {
            var json = await BuildAsync(http.RequestServices, ct).ConfigureAwait(false);
            return Results.Content(json.ToJsonString(JsonSerializerOptions.Web), "application/json");
        });
        return app;
    }

    /// <summary>The <c>/api/status</c> document.</summary>
    public static async Task<JsonObject> BuildAsync(IServiceProvider services, CancellationToken ct)
    {
        var runtime = services.GetRequiredService<PipelineRuntime>();
        var feed = services.GetRequiredService<StatusFeed>().Snapshot();
        var samples = services.GetRequiredService<StatusSampler>().Samples();
        var latest = samples.Count > 0 ? samples[^1] : null;
        var models = services.GetService<IModelCommands>();
        var alertFeed = services.GetService<IAlertFeed>();
        var driftFeed = services.GetService<IDriftFeed>();
        var metrics = runtime.Metrics;

        var partitions = new JsonArray();
        ConsumerStatus? status = null;
        try
        {
            status = runtime.Control?.Status();
        }
        catch (ObjectDisposedException)
        {
            // Stopped between the check and the call.
        }

        foreach (var p in status?.Partitions.OrderBy(p => p.TopicPartition.Topic, StringComparer.Ordinal).ThenBy(p => p.TopicPartition.Partition.Value) ?? Enumerable.Empty<PartitionStatus>())
        {
            partitions.Add(new JsonObject
            {
                ["topic"] = p.TopicPartition.Topic,
                ["partition"] = p.TopicPartition.Partition.Value,
                ["position"] = p.Position,
                ["committed"] = p.CommittedOffset,
                ["highWatermark"] = p.HighWatermark,
                ["lag"] = p.Lag,
                ["paused"] = p.Paused,
            });
        }

        // The registry's versions as the lifecycle recorder heard them; else ask the registry; else
        // the versions seen in scored rows (a host without a model lifecycle).
        var modelVersions = new JsonArray();
        string? active;
        if (feed.RegistryVersions.Count > 0)
        {
            active = feed.RegistryVersions.FirstOrDefault(v => v.Status == Graph.Retraining.ModelStatus.Active)?.Version.ToString(CultureInfo.InvariantCulture);
            foreach (var v in feed.RegistryVersions.Take(10))
            {
                modelVersions.Add(new JsonObject
                {
                    ["version"] = v.Version.ToString(CultureInfo.InvariantCulture),
                    ["status"] = v.Status.ToString().ToLowerInvariant(),
                    ["trigger"] = v.Trigger,
                    ["createdAt"] = v.CreatedAt.ToString("O"),
                    ["promotedAt"] = v.PromotedAt?.ToString("O"),
                    ["learned"] = v.LearnCount,
                });
            }
        }
        else if (models is not null)
        {
            active = (await models.ActiveAsync(ct).ConfigureAwait(false))?.Version;
            foreach (var v in await models.HistoryAsync(10, ct).ConfigureAwait(false)) modelVersions.Add(ModelPalette.ToJson(v));
        }
        else
        {
            active = feed.Models.Count > 0 ? feed.Models[0].Version : null;
            foreach (var m in feed.Models)
            {
                modelVersions.Add(new JsonObject { ["version"] = m.Version, ["status"] = m.Version == active ? "active" : "seen", ["createdAt"] = m.FirstSeen.ToString("O"), ["scored"] = m.Scored });
            }
        }

        var alerts = await RecentAlertsAsync(alertFeed, feed, ct).ConfigureAwait(false);
        var drift = driftFeed?.RecentDrift(50) ?? feed.Drift;
        var latency = metrics.EndToEnd;
        return new JsonObject
        {
            ["generatedAt"] = DateTimeOffset.UtcNow.ToString("O"),
            ["graph"] = runtime.Failure is not null ? $"failed: {runtime.Failure.Message}" : runtime.Control is null ? "not running" : "running",
            ["mode"] = runtime.Options.Embedded ? "embedded" : "external",
            ["throughput"] = new JsonObject
            {
                ["storedPerSecond"] = Math.Round(latest?.StoredPerSecond ?? 0, 1),
                ["acceptedPerSecond"] = Math.Round(latest?.AcceptedPerSecond ?? 0, 1),
            },
            ["totals"] = new JsonObject
            {
                ["accepted"] = metrics.Accepted,
                ["quarantined"] = metrics.Quarantined,
                ["stored"] = metrics.Stored,
                ["committed"] = metrics.Committed,
                ["scored"] = feed.Scored,
                ["anomalies"] = feed.Anomalous,
            },
            ["anomalyRate"] = feed.Scored > 0 ? Math.Round((double)feed.Anomalous / feed.Scored, 5) : 0,
            ["latencyMs"] = new JsonObject
            {
                ["p50"] = Math.Round(latency.Quantile(0.5).TotalMilliseconds, 2),
                ["p99"] = Math.Round(latency.Quantile(0.99).TotalMilliseconds, 2),
            },
            ["lag"] = new JsonObject
            {
                ["group"] = status?.GroupId,
                ["total"] = partitions.Sum(p => p!["lag"]?.GetValue<long?>() ?? 0),
                ["partitions"] = partitions,
            },
            ["series"] = new JsonArray(samples.Select(s => (JsonNode)new JsonObject
            {
                ["at"] = s.At.ToString("O"),
                ["storedPerSecond"] = Math.Round(s.StoredPerSecond, 1),
                ["lag"] = s.Lag,
                ["anomalyRate"] = Math.Round(s.AnomalyRate, 5),
            }).ToArray()),
            ["scoreHistogram"] = new JsonObject
            {
                ["bucketWidth"] = 1.0 / StatusFeed.Buckets,
                ["counts"] = new JsonArray(feed.Histogram.Select(c => (JsonNode)JsonValue.Create(c)).ToArray()),
            },
            ["drift"] = new JsonArray(drift.Select(d => (JsonNode)new JsonObject
            {
                ["at"] = d.At.ToString("O"),
                ["detector"] = d.Detector,
                ["signal"] = d.Signal,
                ["detail"] = d.Detail,
            }).ToArray()),
            ["models"] = new JsonObject { ["active"] = active, ["versions"] = modelVersions },
            ["alerts"] = new JsonArray(alerts.Select(a => (JsonNode)AlertsPalette.ToJson(a)).ToArray()),
        };
    }

    // The alerts the graph wrote (with their delivery state) when the host has an alert store; otherwise, or
    // while the store cannot be read, the anomalies this host scored, so the page still shows what was flagged.
    private static async Task<IReadOnlyList<AlertInfo>> RecentAlertsAsync(IAlertFeed? alertFeed, StatusFeedSnapshot feed, CancellationToken ct)
    {
        if (alertFeed is null) return feed.Anomalies;
        try
        {
            return await alertFeed.RecentAlertsAsync(20, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return feed.Anomalies;
        }
    }
}
