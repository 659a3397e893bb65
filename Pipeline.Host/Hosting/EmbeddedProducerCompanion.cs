using Microsoft.Extensions.Logging;
using Pipeline.Host.Producing;
using Pipeline.Models.Synthetic;

namespace Pipeline.Host.Hosting;

/// <summary>
/// The embedded default's synthetic producer: publishes <c>pipeline.embedded.producer.count</c>
/// transactions (normal 80 %, drift 10 %, attack 10 %) and their late labels to the in-process
/// broker at <c>rate</c> records/s, with event times that track the wall clock.
/// </summary>
public sealed class EmbeddedProducerCompanion(ILogger<SyntheticProducer> logger, TimeProvider? clock = null) : IPipelineCompanion
{
    /// <inheritdoc />
    public async Task RunAsync(PipelineRuntime runtime, CancellationToken stopping)
    {
        var p = runtime.Options.Producer;
        var normal = (int)(p.Count * 8 / 10);
        var drift = (int)(p.Count / 10);
        var time = clock ?? TimeProvider.System;
        var options = new SyntheticProducerOptions
        {
            BootstrapServers = runtime.BootstrapServers,
            TransactionsTopic = runtime.Options.Graph.TransactionsTopic,
            LabelsTopic = runtime.Options.LabelsTopic,
            RatePerSecond = p.Rate,
            Generator = new GeneratorOptions
            {
                Accounts = p.Accounts,
                Seed = p.Seed,
                NormalCount = normal,
                DriftCount = drift,
                AttackCount = (int)p.Count - normal - drift,
                // Event time follows the wall clock at the production rate, so windows and lateness behave as in production.
                Start = time.GetUtcNow().AddMinutes(-1),
                MeanInterArrival = p.Rate > 0 ? TimeSpan.FromSeconds(1.0 / p.Rate) : TimeSpan.FromMilliseconds(1),
                LabelDelay = p.LabelDelay,
            },
        };
        var producer = new SyntheticProducer(options, progress: null, logger, time);
        var summary = await producer.RunAsync(stopping).ConfigureAwait(false);
        logger.LogInformation("Synthetic producer finished: {Sent} transactions, {Labels} labels, cancelled {Cancelled}",
            summary.Sent, summary.LabelsSent, summary.Cancelled);
    }
}
