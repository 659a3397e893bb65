using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Retraining;
using Pipeline.Graph.Scoring;
using Pipeline.Models.Lifecycle;
using Prometheus;
using Xunit;
using Xunit.Abstractions;
using static Pipeline.Graph.Retraining.ModelRegistryProtocol;

namespace Pipeline.Tests.Graph.Retraining;

public sealed class CheckpointRecoveryTests(ITestOutputHelper output) : SqliteJournalTestKit(output)
{
    [Fact]
    public async Task Scores_after_a_restart_should_equal_an_uninterrupted_run_when_the_stage_resumes_from_the_registry_checkpoint()
    {
        var traffic = LifecycleTestKit.Featurized(LifecycleTestKit.Generate(seed: 61, normal: 2500, drift: 500, attack: 0));
        var settings = LifecycleTestKit.Settings("checkpoint-every-events = 1000");
        var uninterrupted = await ScoreAsync(Sys, LifecycleTestKit.NewScorer(), 1, traffic, settings, new LifecycleTestKit.RecordingListener());

        var registry = Sys.ActorOf(ModelRegistryActor.Props(settings, Sys.DeadLetters));
        var boot = await registry.Ask<ActiveModel>(new Bootstrap(LifecycleTestKit.Bytes(LifecycleTestKit.NewScorer().Model), 0), LifecycleTestKit.Deadline);
        await ScoreAsync(Sys, new ModelTransactionScorer(LifecycleTestKit.Read(boot.Model), "1"), boot.Version, traffic.Take(2000).ToList(), settings, new RegistryLifecycleListener(registry));
        await AwaitAssertAsync(async () => Assert.Equal(2000, (await registry.Ask<ActiveModel>(GetActive.Instance, LifecycleTestKit.Deadline)).Info.LearnCount), LifecycleTestKit.Deadline);
        await Sys.Terminate();

        using var restarted = ActorSystem.Create("restarted", LifecycleTestKit.SqliteSystem(Db));
        try
        {
            var recovered = restarted.ActorOf(ModelRegistryActor.Props(settings, restarted.DeadLetters));
            var active = await recovered.Ask<ActiveModel>(new Bootstrap(LifecycleTestKit.Bytes(LifecycleTestKit.NewScorer().Model), 0), LifecycleTestKit.Deadline);
            var resumed = await ScoreAsync(restarted, new ModelTransactionScorer(LifecycleTestKit.Read(active.Model), "1"), active.Version, traffic.Skip(2000).ToList(), settings, new LifecycleTestKit.RecordingListener());

            Assert.Equal(1, active.Version);
            Assert.Equal(uninterrupted.Skip(2000).Select(r => (r.Scored.TransactionId, r.Scored.Score, r.Scored.IsAnomaly, r.Scored.Threshold)),
                resumed.Select(r => (r.Scored.TransactionId, r.Scored.Score, r.Scored.IsAnomaly, r.Scored.Threshold)));
        }
        finally
        {
            await restarted.Terminate();
        }
    }

    private static async Task<List<ScoredElement>> ScoreAsync(ActorSystem system, ModelTransactionScorer scorer, long version,
        IReadOnlyList<Pipeline.Graph.Windows.FeaturedTransaction> traffic, LifecycleSettings settings, IScoringLifecycleListener listener)
    {
        var flow = ModelSwapFlow.Create(scorer, version, settings, new TrainingSample(10), listener,
            new PipelineMetrics(new CollectorRegistry()), new LifecycleMetrics(new CollectorRegistry()));
        var rows = await Source.From(traffic.Cast<PipelineElement>()).Via(flow).RunWith(Sink.Seq<PipelineElement>(), system.Materializer()).WaitAsync(LifecycleTestKit.Deadline);
        return rows.Cast<ScoredElement>().ToList();
    }
}
