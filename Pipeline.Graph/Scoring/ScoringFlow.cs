using Akka;
using Akka.Streams.Dsl;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Windows;

namespace Pipeline.Graph.Scoring;

/// <summary>
/// Scores every <see cref="FeaturedTransaction"/> with an <see cref="ITransactionScorer"/> and passes
/// every other element (quarantined, skipped) through untouched so its offset still commits.
/// <para>
/// Emits one element per input, in order; backpressures when downstream does; completes when
/// upstream completes; fails only if the scorer throws (a bug, not bad input); cancels upstream
/// when downstream cancels. Materialized value: <see cref="NotUsed"/>.
/// </para>
/// </summary>
public static class ScoringFlow
{
    /// <summary>The scoring flow over <paramref name="scorer"/>.</summary>
    public static Flow<PipelineElement, PipelineElement, NotUsed> Create(ITransactionScorer scorer, PipelineMetrics metrics, Action<Models.Domain.ScoredTransaction>? onScored = null) =>
        Flow.Create<PipelineElement>()
            .Select(element =>
            {
                if (element is not FeaturedTransaction featured) return element;
                var scored = scorer.ScoreThenLearn(featured.Transaction, featured.Features, featured.Late);
                metrics.RecordScored(scored.IsAnomaly ? scored.Severity : null);
                onScored?.Invoke(scored);
                return (PipelineElement)new ScoredElement(featured.Offset, featured.ReceivedAt, scored);
            })
            .Named("scoring");
}
