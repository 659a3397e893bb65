using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Microsoft.Data.Sqlite;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Scoring;
using Pipeline.Graph.Windows;
using Pipeline.Models.Features;
using Pipeline.Graph.Sinks;
using Pipeline.Models.Domain;
using Pipeline.Tests.Graph.Kafka;
using Pipeline.Tests.Graph.Scoring;
using Pipeline.Tests.Infrastructure;
using Prometheus;
using Xunit;
using Config = Akka.Configuration.Config;

namespace Pipeline.Tests.Graph.Ingest;

/// <summary>
/// The data-quality part of the graph as the lead wires it, over the mock Kafka cluster and a SQLite file:
/// source → ingest (decode with PII tokens → dead letters → dedupe → mask quarantined bytes, in batches) → (tap) → placeholder scoring → store → commit.
/// Plus the raw producer, dead-letter reader and table dump the integration tests need.
/// </summary>
internal sealed class DataQualityGraph
{
    public static readonly Config Reference = ReferenceConfigFile.Load();
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public DataQualityGraph(MockKafka kafka, string dbPath, IDedupeStore dedupe, DedupeSettings? dedupeSettings = null)
    {
        Kafka = kafka;
        DbPath = dbPath;
        Dedupe = dedupe;
        DedupeSettings = dedupeSettings ?? Pipeline.Graph.Ingest.DedupeSettings.Create(Reference.GetConfig("pipeline.dedupe"));
        Topic = kafka.CreateTopic("tx", 4);
        DeadLetterTopic = kafka.CreateTopic("dlq", 4);
        Group = MockKafka.NewGroupId("dq");
    }

    public MockKafka Kafka { get; }

    public string DbPath { get; }

    /// <summary>The dedupe store the next run uses (a restart swaps in a new one).</summary>
    public IDedupeStore Dedupe { get; set; }

    public DedupeSettings DedupeSettings { get; }

    public string Topic { get; }

    public string DeadLetterTopic { get; }

    public string Group { get; }

    public CollectorRegistry Registry { get; } = new();

    public PiiSettings Pii { get; init; } = PiiSettings.Create(Reference.GetConfig("pipeline.pii"), embedded: true);

    /// <summary>message.max.bytes of the dead-letter producer.</summary>
    public int DeadLetterMaxMessageBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Every transaction as it left the PII stage.</summary>
    public ConcurrentQueue<Transaction> Protected { get; } = new();

    /// <summary>Runs the full graph once (until drained) with fresh metrics in <see cref="Registry"/>.</summary>
    public DrainingControl<Done> Run(ActorSystem system, ITransactionStore store, out DataQualityMetrics metrics, out PipelineMetrics pipelineMetrics)
    {
        var log = Logging.GetLogger(system, "data-quality-graph");
        var pm = pipelineMetrics = new PipelineMetrics(Registry);
        var dq = metrics = new DataQualityMetrics(Registry);
        var consumer = ConsumerSettings<string, byte[]>.Create(KafkaTestConfig.ConsumerBlock, Deserializers.Utf8, Deserializers.ByteArray)
            .WithBootstrapServers(Kafka.BootstrapServers)
            .WithGroupId(Group)
            .WithProperty("session.timeout.ms", "6000")
            .WithProperty("heartbeat.interval.ms", "500")
            .WithProperty("auto.commit.interval.ms", "100")
            .WithStopTimeout(TimeSpan.FromSeconds(10));
        var producer = ProducerSettings<byte[]?, byte[]>.Create(Reference.GetConfig("pipeline.kafka.producer"), null, null)
            .WithBootstrapServers(Kafka.BootstrapServers)
            .WithClientId("dlq-" + Group)
            .WithProperty("message.max.bytes", DeadLetterMaxMessageBytes.ToString(CultureInfo.InvariantCulture));
        var ingest = IngestSettings.Create(Reference.GetConfig("pipeline.ingest"));
        var windows = WindowSettings.Create(Reference.GetConfig("pipeline.windows"));
        var storeSettings = StoreSettings.Create(Reference.GetConfig("pipeline.store")) with { FlushInterval = TimeSpan.FromMilliseconds(20) };
        var committer = KafkaTestConfig.Committer().WithMaxInterval(TimeSpan.FromMilliseconds(50));

        return KafkaConsumer.CommittableSource(consumer, Subscriptions.Topics(Topic))
            .Via(IngestFlow.Create(ingest, Pii, producer, DeadLetterTopic, Dedupe, DedupeSettings, TimeProvider.System, pm, dq, log))
            .SelectMany(batch => batch)
            .Select(e =>
            {
                if (e is AcceptedTransaction a) Protected.Enqueue(a.Transaction);
                return e;
            })
            .Via(AccountWindowsFlow.Create(windows, new InMemoryFeatureStateStore(TimeSpan.FromHours(1), TimeProvider.System), TimeProvider.System, new WindowsMetrics(Registry), log))
            .Via(ScoringFlow.Create(ModelTransactionScorer.Create(ScoringSettings.Create(Reference), AccountFeatures.Names(windows.Sizes)), pm))
            .Via(StoreFlow.Create(store, storeSettings, pm, TimeProvider.System, log))
            .Select(ICommittable (offset) => offset)
            .ToMaterialized(Committer.Sink(committer), Keep.Both)
            .MapMaterializedValue(DrainingControl<Done>.Create)
            .Run(system.Materializer());
    }

    /// <summary>Runs only the front of the graph up to dedupe and collects what leaves it, committing nothing.</summary>
    public (DrainingControl<NotUsed> Control, ConcurrentQueue<PipelineElement> Output) RunUpToDedupe(ActorSystem system)
    {
        var registry = new CollectorRegistry();
        var consumer = ConsumerSettings<string, byte[]>.Create(KafkaTestConfig.ConsumerBlock, Deserializers.Utf8, Deserializers.ByteArray)
            .WithBootstrapServers(Kafka.BootstrapServers)
            .WithGroupId(Group)
            .WithProperty("session.timeout.ms", "6000")
            .WithProperty("heartbeat.interval.ms", "500")
            .WithStopTimeout(TimeSpan.FromSeconds(1));
        var output = new ConcurrentQueue<PipelineElement>();
        var control = KafkaConsumer.CommittableSource(consumer, Subscriptions.Topics(Topic))
            .Via(DecodeFlow.Create(IngestSettings.Create(Reference.GetConfig("pipeline.ingest")), TimeProvider.System, new PipelineMetrics(registry)))
            .Via(DedupeFlow.Create(Dedupe, DedupeSettings, new DataQualityMetrics(registry)))
            .ToMaterialized(Sink.ForEach<PipelineElement>(output.Enqueue), Keep.Left)
            .MapMaterializedValue(c => DrainingControl<NotUsed>.Create(c, Task.FromResult(NotUsed.Instance)))
            .Run(system.Materializer());
        return (control, output);
    }

    /// <summary>Produces raw records (value bytes as given) and waits for every acknowledgement.</summary>
    public IReadOnlyList<DeliveryResult<string?, byte[]>> Produce(IEnumerable<(string? Key, byte[] Value)> records, int? partition = null)
    {
        using var producer = new ProducerBuilder<string?, byte[]>(new ProducerConfig
        {
            BootstrapServers = Kafka.BootstrapServers,
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 1,
            MessageMaxBytes = 16 * 1024 * 1024,
        }).Build();
        var pending = records.Select(r =>
        {
            var message = new Message<string?, byte[]> { Key = r.Key, Value = r.Value };
            return partition is { } p
                ? producer.ProduceAsync(new TopicPartition(Topic, new Partition(p)), message)
                : producer.ProduceAsync(Topic, message);
        }).ToArray();
        producer.Flush(TimeSpan.FromSeconds(30));
        return Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
    }

    /// <summary>Waits until the group has committed the end of every partition the records went to.</summary>
    public async Task WaitUntilCommitted<TKey>(IEnumerable<DeliveryResult<TKey, byte[]>> produced)
    {
        var end = produced.GroupBy(d => d.TopicPartition).ToDictionary(g => g.Key, g => (long?)(g.Max(d => d.Offset.Value) + 1));
        await Eventually(() => end.All(e => Kafka.CommittedOffsets(Group, [e.Key])[e.Key] == e.Value), "every produced offset to be committed");
    }

    /// <summary>Reads every record of the dead-letter topic.</summary>
    public List<ConsumeResult<byte[]?, byte[]>> ReadDeadLetters(int expected)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = Kafka.BootstrapServers,
            GroupId = MockKafka.NewGroupId("dlq-reader"),
            EnableAutoCommit = false,
            FetchMaxBytes = 64 * 1024 * 1024,
        }).Build();
        consumer.Assign(MockKafka.Partitions(DeadLetterTopic, 4).Select(tp => new TopicPartitionOffset(tp, Offset.Beginning)));
        var records = new List<ConsumeResult<byte[]?, byte[]>>();
        var deadline = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < deadline)
        {
            var next = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (next is not null) records.Add(next);
            else if (records.Count >= expected) break;
        }

        return records;
    }

    /// <summary>Every row of every table of the SQLite file, each column as text (blobs decoded as UTF-8).</summary>
    public List<(string Table, string[] Columns)> DumpTables()
    {
        var rows = new List<(string, string[])>();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        var tables = new List<string>();
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            using var reader = cmd.ExecuteReader();
            while (reader.Read()) tables.Add(reader.GetString(0));
        }

        foreach (var table in tables)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT * FROM \"{table}\"";
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                var columns = new string[reader.FieldCount];
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.GetValue(i);
                    columns[i] = value switch
                    {
                        byte[] bytes => Encoding.UTF8.GetString(bytes),
                        DBNull => string.Empty,
                        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
                    };
                }

                rows.Add((table, columns));
            }
        }

        return rows;
    }

    /// <summary>Rows of one table, named columns.</summary>
    public List<Dictionary<string, object>> Rows(string table)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT * FROM \"{table}\"";
        using var reader = cmd.ExecuteReader();
        var rows = new List<Dictionary<string, object>>();
        while (reader.Read())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, reader.GetValue));
        }

        return rows;
    }

    public static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {Deadline.TotalSeconds}s waiting for {what}");
            await Task.Delay(50);
        }
    }
}
