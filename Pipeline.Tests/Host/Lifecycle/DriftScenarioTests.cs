using System.Globalization;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Retraining;
using Pipeline.Host;
using Pipeline.Host.Cli;
using Pipeline.Host.Hosting;
using Pipeline.Tests.Graph.Assembly;
using Pipeline.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using Registry = Pipeline.Graph.Retraining.ModelRegistryProtocol;

namespace Pipeline.Tests.Host.Lifecycle;

/// <summary>
/// The whole host in its embedded default (in-process broker, synthetic producer with normal →
/// drift → attack phases and delayed labels, SQLite), composed by <see cref="RunCommand.BuildApp"/>
/// exactly as <c>run</c> does, with short phases: the drift phase must lead to a drift event, a
/// retrain, a shadow evaluation decided by the delayed labels and a promotion — visible in the
/// journal, <c>model_versions</c>, <c>drift_events</c>, <c>/metrics</c> and the output topics — and an
/// operator's rollback must restore the earlier model.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DriftScenarioTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Token = "drift-scenario-token";
    private static readonly TimeSpan PromotionDeadline = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    // 80/10/10 over normal/drift/attack (the embedded producer's split).
    private const int Count = 24000;
    private const int NormalCount = Count * 8 / 10;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("drift-scenario-");
    private readonly int _httpPort = FreePort.Next();
    private readonly int _inspectorPort = FreePort.Next();
    private MockKafkaCluster? _broker;
    private Pipeline.Graph.Sinks.ITransactionStore? _store;
    private Pipeline.Graph.Alerting.IAlertStore? _alerts;
    private WebApplication? _app;
    private PipelineRuntime _runtime = null!;

    private string Db => Path.Combine(_dir.FullName, "p.db");

    public async Task InitializeAsync()
    {
        var environment = new Dictionary<string, string>();
        var sets = string.Join("; ",
            $"pipeline.store.sqlite.path = \"{Db}\"",
            $"pipeline.http.url = \"http://127.0.0.1:{_httpPort}\"",
            $"pipeline.inspector.port = {_inspectorPort}",
            $"pipeline.inspector.token = \"{Token}\"",
            "pipeline.progress-interval = 2s",
            // One partition: the records are scored in production order, so the detectors see the same sequence on every run.
            "pipeline.embedded.partitions = 1",
            // 80/10/10 over normal/drift/attack, at a rate that keeps the run well under two minutes.
            $"pipeline.embedded.producer.count = {Count}",
            "pipeline.embedded.producer.rate = 1000",
            "pipeline.embedded.producer.accounts = 100",
            "pipeline.embedded.producer.seed = 7",
            "pipeline.embedded.producer.label-delay = 2s",
            "pipeline.lifecycle.sample-size = 2000",
            // ADWIN on the amount z-score first fires about 1300 transactions into the 2400 of the drift
            // phase. A 500-event shadow then ends well before the attack even when training and the
            // hand-over to the scoring stage are slow on a loaded machine, so the first candidate is judged
            // on drifted traffic: with no fraud labels among them (fewer than shadow.min-positives) the
            // unlabelled rule decides. With 1000 events the window straddled the attack and its handful
            // of fraud made the outcome depend on timing.
            "pipeline.lifecycle.shadow.events = 500",
            "pipeline.lifecycle.shadow.label-wait = 5s",
            "pipeline.lifecycle.checkpoint-every-events = 5000",
            // The detectors are armed 600 transactions before the drift phase: in a run this short the
            // normal phase is all warm-up (account histories, HST windows and the adaptive threshold
            // still settling), which DDM and ADWIN would otherwise report as drift.
            $"pipeline.lifecycle.drift.warm-up-events = {NormalCount - 600}");
        var options = RunOptions.Create(PipelineConfigLoader.Load(environment, null, sets));
        _broker = MockKafkaCluster.Start(options.EmbeddedBrokers);
        foreach (var topic in new[] { options.Graph.TransactionsTopic, options.LabelsTopic }) _broker.CreateTopic(topic, options.EmbeddedPartitions);
        _store = await Preflight.OpenStoreAsync(options.Graph.Store, environment, CancellationToken.None);
        _alerts = await Preflight.OpenAlertStoreAsync(options.Graph.Store, environment, CancellationToken.None);
        _runtime = new PipelineRuntime(options, _store, _alerts, new PipelineMetrics(), _broker, _broker.BootstrapServers)
        {
            Persistence = Preflight.Persistence(options.Config, options.Graph.Store, environment),
            LifecycleStore = Preflight.OpenLifecycleStore(options.Graph.Store, environment),
        };
        _app = RunCommand.BuildApp(_runtime);
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (_store is not null) await _store.DisposeAsync();
        if (_alerts is not null) await _alerts.DisposeAsync();
        _broker?.Dispose();
        SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Host_should_retrain_shadow_evaluate_promote_and_roll_back_when_the_synthetic_traffic_drifts()
    {
        // Act: wait (bounded) until the registry promoted a retrained candidate.
        var promoted = await WaitFor(async () => (await History()).FirstOrDefault(v => v.BaseVersion != 0 && v.Evaluation is { Promote: true } && v.PromotedAt is not null), PromotionDeadline);
        var history = await History();
        foreach (var v in history) output.WriteLine($"v{v.Version} {v.Status} base {v.BaseVersion} {v.Trigger} | {v.Evaluation?.Reason}");

        // Assert: a drift detected in the drift phase (not the normal one) asked for it.
        Assert.NotNull(promoted);
        var drifts = Rows("SELECT d.detector, d.signal, d.model_version, (SELECT COUNT(*) FROM scored_transactions s WHERE s.ts < d.ts) FROM drift_events d ORDER BY d.ts");
        foreach (var d in drifts) output.WriteLine($"drift {d[0]}/{d[1]} under v{d[2]} after {d[3]} rows");
        Assert.Contains(drifts, d => (long)d[3] >= NormalCount * 99 / 100
            && (string)d[2] == promoted.BaseVersion.ToString(CultureInfo.InvariantCulture)
            && promoted.Trigger.Contains($"{d[0]} drift on {d[1]}", StringComparison.Ordinal));

        // The delayed labels reached the shadow evaluation through the host's labels consumer.
        Assert.True(promoted.Evaluation!.Labelled > 0, promoted.Evaluation.Reason);

        // The journal holds the whole path: retrain requested, candidate trained, evaluated, promoted.
        var journal = Journal();
        Assert.Equal("Promoted", journal[0]);
        Assert.Contains("RetrainRequested", journal);
        Assert.Contains("CandidateTrained", journal);
        Assert.Contains("CandidateEvaluated", journal);
        Assert.True(journal.Count(e => e == "Promoted") >= 2, string.Join(", ", journal));

        // model_versions mirrors it (asynchronously): the promoted version active, the first superseded.
        var version = promoted.Version.ToString(CultureInfo.InvariantCulture);
        // (or already retired, when a later drift promoted the next candidate before this check).
        await WaitFor(() => Task.FromResult(Status(version) is "active" or "retired" ? version : null), Deadline);
        Assert.Equal("retired", Status("1"));
        Assert.Contains("\"evaluation\"", Scalar<string>($"SELECT metrics FROM model_versions WHERE version = '{version}'"));

        // The metrics show the swap, the decision and the drift counters.
        var metrics = await Metrics();
        Assert.Contains("pipeline_model_version ", metrics);
        Assert.Contains("pipeline_drift_events_total{detector=\"", metrics);
        Assert.Contains("pipeline_shadow_evaluations_total{decision=\"promote\"}", metrics);
        Assert.Contains("pipeline_model_swaps_total ", metrics);

        // The outputs: drift events keyed by detector, scored transactions keyed by account, both JSON.
        var drift = Assert.Single(MockKafka.ReadFromStart(_runtime.BootstrapServers, "drift-events", 1));
        using (var json = JsonDocument.Parse(drift.Message.Value))
        {
            Assert.Equal(drift.Message.Key, json.RootElement.GetProperty("detector").GetString());
            Assert.Equal(Encoding.UTF8.GetString(drift.Message.Headers.GetLastBytes("signal")), json.RootElement.GetProperty("signal").GetString());
        }

        var scored = MockKafka.ReadFromStart(_runtime.BootstrapServers, "scored-transactions", 50);
        Assert.Equal(50, scored.Count);
        Assert.All(scored, r =>
        {
            using var json = JsonDocument.Parse(r.Message.Value);
            Assert.Equal(r.Message.Key, json.RootElement.GetProperty("account_id").GetString());
            Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("model_version").GetString()));
        });

        // Act: the operator rolls back through the inspector. A later drift may have promoted another
        // candidate meanwhile, so "the earlier version" is relative to whatever is active right now.
        var before = await _runtime.Registry!.Ask<Registry.ActiveModel>(Registry.GetActive.Instance, Deadline);
        var (code, stdout, stderr) = await Pbm(["pbm", $"127.0.0.1:{_inspectorPort}", "model", "rollback", "--confirm", "--token", Token]);
        output.WriteLine(stdout + stderr);
        Produce(TransactionGraphTests.Transactions(300));

        // Assert: a new version holds the earlier model, scores every row after its first one, and is mirrored.
        Assert.Equal(0, code);
        var active = await _runtime.Registry!.Ask<Registry.ActiveModel>(Registry.GetActive.Instance, Deadline);
        Assert.True(active.Version > before.Version);
        Assert.Equal(ModelStatus.Active, active.Info.Status);
        Assert.StartsWith("rollback to ", active.Info.Trigger);
        Assert.True(active.Info.BaseVersion < before.Version, $"rolled back from {before.Version} to {active.Info.BaseVersion}");
        var rolled = active.Version.ToString(CultureInfo.InvariantCulture);
        await WaitFor(() => Task.FromResult(Scalar<long>($"SELECT COUNT(*) FROM scored_transactions WHERE model_version = '{rolled}'") > 0 ? rolled : null), Deadline);
        var first = Scalar<long>($"SELECT MIN(rowid) FROM scored_transactions WHERE model_version = '{rolled}'");
        Assert.Equal(0, Scalar<long>($"SELECT COUNT(*) FROM scored_transactions WHERE rowid > {first} AND model_version <> '{rolled}'"));
        await WaitFor(() => Task.FromResult(Status(rolled) == "active" ? rolled : null), Deadline);
        Assert.Equal("retired", Status(before.Version.ToString(CultureInfo.InvariantCulture)));
    }

    private async Task<IReadOnlyList<ModelVersionInfo>> History() =>
        _runtime.Registry is null ? [] : (await _runtime.Registry.Ask<Registry.History>(Registry.GetHistory.Instance, Deadline)).Versions;

    private static async Task<T?> WaitFor<T>(Func<Task<T?>> probe, TimeSpan timeout)
        where T : class
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } found) return found;
            if (DateTime.UtcNow > until) return null;
            await Task.Delay(250);
        }
    }

    private string? Status(string version) =>
        Rows($"SELECT status FROM model_versions WHERE version = '{version}'").Select(r => (string)r[0]).SingleOrDefault();

    private T Scalar<T>(string sql) => (T)Rows(sql)[0][0];

    private List<object[]> Rows(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object[]>();
        while (reader.Read())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The registry's event types in journal order, read from the SQLite journal beside the store.</summary>
    private List<string> Journal()
    {
        string[] names = ["RetrainRequested", "CandidateTrained", "CandidateEvaluated", "Promoted", "Rejected", "RolledBack", "Checkpointed"];
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_dir.FullName, "akka-persistence.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT message FROM journal WHERE persistence_id = 'model-registry' ORDER BY sequence_number";
        using var reader = command.ExecuteReader();
        var types = new List<string>();
        while (reader.Read())
        {
            var json = Encoding.UTF8.GetString((byte[])reader[0]);
            types.Add(names.First(n => json.Contains("ModelRegistryEvents+" + n + ",", StringComparison.Ordinal)));
        }

        return types;
    }

    private async Task<string> Metrics()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(new Uri($"http://127.0.0.1:{_httpPort}/metrics"));
    }

    private void Produce(IEnumerable<(string Key, string Value)> records)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = _runtime.BootstrapServers }).Build();
        foreach (var (key, value) in records) producer.Produce(_runtime.Options.Graph.TransactionsTopic, new Message<string, string> { Key = key, Value = value });
        producer.Flush(Deadline);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> Pbm(string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await Program.RunAsync(args, stdout, stderr, CancellationToken.None).WaitAsync(Deadline);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
