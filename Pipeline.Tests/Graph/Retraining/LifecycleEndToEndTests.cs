using System.Globalization;
using System.Text;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Data.Sqlite;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Drift;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Retraining;
using Pipeline.Graph.Scoring;
using Pipeline.Models.Anomaly;
using Pipeline.Models.Domain;
using Pipeline.Models.Lifecycle;
using Pipeline.Tests.Graph.Scoring;
using Prometheus;
using Xunit;
using Xunit.Abstractions;
using static Pipeline.Graph.Retraining.ModelRegistryProtocol;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Graph.Retraining;

public sealed class LifecycleEndToEndTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly DirectoryInfo Dir = Directory.CreateTempSubdirectory("lifecycle-");
    private readonly string _db;
    private readonly ITestOutputHelper _output;

    public LifecycleEndToEndTests(ITestOutputHelper output)
        : this(Path.Combine(Dir.FullName, Guid.NewGuid().ToString("N") + ".db"), output)
    {
    }

    private LifecycleEndToEndTests(string db, ITestOutputHelper output)
        : base(LifecycleTestKit.SqliteSystem(db), output: output)
    {
        _db = db;
        _output = output;
    }

    void IDisposable.Dispose()
    {
        base.Dispose();
        SqliteConnection.ClearAllPools();
        File.Delete(_db);
    }

    [Fact]
    public async Task Drift_phase_should_lead_to_a_retrain_a_shadow_evaluation_and_a_promotion_recorded_in_the_journal()
    {
        // Arrange: normal traffic then the generator's drift phase (larger amounts, new merchants).
        var traffic = LifecycleTestKit.Featurized(LifecycleTestKit.Generate(seed: 51, normal: 3000, drift: 4000, attack: 0));
        // Without labels the candidate is judged by its alert rate at the active model's threshold;
        // this run's candidate flags 3-4% (the sample it learns depends on how far the stream got
        // when the retrain began) against the active model's 1.2%, which the default ratio (1.5)
        // rejects, so the test allows 10x to follow the promotion path to its end (the decision
        // rule itself is covered by ShadowComparisonTests and the registry tests).
        var settings = LifecycleTestKit.Settings("sample-size = 1500\nshadow.events = 600\nshadow.max-alert-rate-ratio = 10\ncheckpoint-every-events = 1000000");
        var drift = DriftSettings.Create(ReferenceConfigFile.Load());
        var metrics = new CollectorRegistry();
        var lifecycleMetrics = new LifecycleMetrics(metrics);
        var sample = new TrainingSample(settings.SampleSize);
        var retrainer = Sys.ActorOf(RetrainingActor.SupervisedProps(settings, sample, LifecycleTestKit.ModelConfiguration), "retraining");
        var registry = Sys.ActorOf(ModelRegistryActor.Props(settings, retrainer), "model-registry");
        var scorer = LifecycleTestKit.NewScorer();
        var initial = await registry.Ask<ActiveModel>(new Bootstrap(LifecycleTestKit.Bytes(scorer.Model), 0), LifecycleTestKit.Deadline);
        var driftEvents = new List<DriftEvent>();

        // The stream pauses after 5000 transactions until the candidate is being shadow-scored, and
        // again after 1000 more until the promoted model was handed to the stage.
        var shadowing = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var swapped = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var source = Source.From(traffic.Take(5000).Cast<PipelineElement>())
            .Concat(Source.FromTask(shadowing.Task).SelectMany(_ => traffic.Skip(5000).Take(1000).Cast<PipelineElement>()))
            .Concat(Source.FromTask(swapped.Task).SelectMany(_ => traffic.Skip(6000).Cast<PipelineElement>()));
        var scoring = ModelSwapFlow.Create(scorer, initial.Version, settings, sample, new RegistryLifecycleListener(registry), new PipelineMetrics(metrics), lifecycleMetrics);
        var driftFlow = DriftFlow.Create(drift, settings, e =>
        {
            driftEvents.Add(e);
            registry.Tell(new RequestRetrain($"{e.Detector} drift on {e.Signal}"));
        }, lifecycleMetrics);
        var (handle, done) = source.ViaMaterialized(scoring, Keep.Right).Via(driftFlow).ToMaterialized(Sink.Seq<PipelineElement>(), Keep.Both).Run(Sys.Materializer());
        Sys.ActorOf(ModelSwapBridge.Props(registry, new SignallingHandle(handle, shadowing, swapped, initial.Version), LifecycleTestKit.ModelConfiguration));

        // Act
        var rows = (await done.WaitAsync(TimeSpan.FromSeconds(60))).Cast<ScoredElement>().ToList();
        var history = (await registry.Ask<History>(GetHistory.Instance, LifecycleTestKit.Deadline)).Versions;

        // Assert
        foreach (var v in history) _output.WriteLine($"v{v.Version} {v.Status} {v.Trigger} {v.Evaluation?.Reason}");
        var first = driftEvents[0];
        Assert.True(first.Timestamp >= traffic[3000].Transaction.Timestamp, $"first drift {first.Detector}/{first.Signal} at {first.Timestamp} is before the drift phase");
        var candidate = history[1];
        Assert.Equal(2, candidate.Version);
        Assert.StartsWith("retrain: adwin drift", candidate.Trigger);
        Assert.Equal(600, candidate.Evaluation!.Events);
        Assert.True(candidate.Evaluation.Promote, candidate.Evaluation.Reason);
        Assert.Equal("unlabelled", candidate.Evaluation.Basis);
        Assert.True(candidate.Evaluation.ActiveAlertRate > 0 && candidate.Evaluation.CandidateAlertRate > 0, candidate.Evaluation.Reason);
        Assert.Equal(ModelStatus.Retired, history[0].Status);
        Assert.Equal(traffic.Select(t => t.Transaction.TransactionId), rows.Select(r => r.Scored.TransactionId));
        Assert.All(rows.Take(6000), r => Assert.Equal("1", r.Scored.ModelVersion));
        Assert.All(rows.Skip(6000), r => Assert.True(long.Parse(r.Scored.ModelVersion, CultureInfo.InvariantCulture) >= 2));

        var journal = Journal();
        Assert.Equal(["Promoted", "RetrainRequested", "CandidateTrained", "CandidateEvaluated", "Promoted"], journal.Take(5));
        var exported = await Export(metrics);
        Assert.Contains("pipeline_drift_events_total{detector=\"adwin\"", exported);
        Assert.Contains("pipeline_model_swaps_total 1", exported);
        Assert.Contains("pipeline_shadow_evaluations_total{decision=\"promote\"} 1", exported);
    }

    /// <summary>The registry's event types in journal order, read from the SQLite journal table.</summary>
    private List<string> Journal()
    {
        using var connection = new SqliteConnection($"Data Source={_db}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT message FROM journal WHERE persistence_id = 'model-registry' ORDER BY sequence_number";
        using var reader = command.ExecuteReader();
        var types = new List<string>();
        string[] names = ["RetrainRequested", "CandidateTrained", "CandidateEvaluated", "Promoted", "Rejected", "RolledBack", "Checkpointed"];
        while (reader.Read())
        {
            var json = Encoding.UTF8.GetString((byte[])reader[0]);
            types.Add(names.First(n => json.Contains("ModelRegistryEvents+" + n + ",", StringComparison.Ordinal)));
        }

        return types;
    }

    private static async Task<string> Export(CollectorRegistry registry)
    {
        using var buffer = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(buffer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Passes calls to the stage's handle and tells the test when the shadow began and a newer model was offered.</summary>
    private sealed class SignallingHandle(IModelSwapHandle inner, TaskCompletionSource<bool> shadowing, TaskCompletionSource<bool> swapped, long initial) : IModelSwapHandle
    {
        public void Offer(TransactionAnomalyModel model, long version)
        {
            inner.Offer(model, version);
            if (version > initial) swapped.TrySetResult(true);
        }

        public void BeginShadow(TransactionAnomalyModel candidate, long version)
        {
            inner.BeginShadow(candidate, version);
            shadowing.TrySetResult(true);
        }

        public void OnLabel(TransactionLabel label) => inner.OnLabel(label);
    }
}
