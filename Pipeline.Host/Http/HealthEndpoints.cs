using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Pipeline.Host.Hosting;

namespace Pipeline.Host.Http;

/// <summary>
/// <c>/health/live</c> (the process answers), <c>/health/ready</c> (the graph runs, the consumer
/// polls the broker, the store answers) and <c>/health</c> (both, with details). Ready answers
/// 503 with the failing checks named.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => Results.Json(new { status = "live" }));
        app.MapGet("/health/ready", async (PipelineRuntime runtime, CancellationToken ct) => Respond(await CheckAsync(runtime, ct).ConfigureAwait(false)));
        app.MapGet("/health", async (PipelineRuntime runtime, CancellationToken ct) => Respond(await CheckAsync(runtime, ct).ConfigureAwait(false)));
        return app;
    }

    /// <summary>Runs the readiness checks.</summary>
    public static async Task<HealthReport> CheckAsync(PipelineRuntime runtime, CancellationToken ct)
    {
        var checks = new Dictionary<string, string>(StringComparer.Ordinal);
        var graph = runtime.Failure is not null ? $"failed: {runtime.Failure.Message}"
            : runtime.Control is null ? "not running"
            : "ok";
        checks["graph"] = graph;
        checks["kafka"] = ConsumerLag.KafkaHealth(runtime);
        checks["store"] = await runtime.Store.IsHealthyAsync(ct).ConfigureAwait(false) ? "ok" : $"{runtime.Store.Description} does not answer";
        return new HealthReport(checks.Values.All(v => v == "ok"), checks);
    }

    private static IResult Respond(HealthReport report) =>
        Results.Json(new { status = report.Ready ? "ready" : "not ready", checks = report.Checks }, JsonSerializerOptions.Web, statusCode: report.Ready ? 200 : 503);
}
