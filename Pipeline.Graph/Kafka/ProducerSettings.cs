using System.Globalization;
using Akka.Configuration;
using Confluent.Kafka;
using Config = Akka.Configuration.Config;

namespace Pipeline.Graph.Kafka;

/// <summary>
/// Immutable settings of a Kafka producer stage (<see cref="KafkaProducer"/>), read from a HOCON
/// block laid out like <c>pipeline.kafka.producer</c> in <c>hocon/reference.conf</c>:
/// <list type="table">
/// <item><term><c>parallelism</c></term><description>envelopes in flight (produced, not yet emitted), 1–1,000,000.</description></item>
/// <item><term><c>flush-timeout</c></term><description>how long a stage that owns its producer waits for outstanding deliveries when it stops without failure, 1 ms–1 h.</description></item>
/// <item><term><c>queue-full-retry-interval</c></term><description>how long to wait before producing again after librdkafka reported <c>Local: Queue full</c>, 1 ms–10 s.</description></item>
/// <item><term><c>kafka-clients</c></term><description>librdkafka properties, passed on unchanged (see <see cref="KafkaClientProperties"/>).</description></item>
/// </list>
/// Every key must be present (the defaults live only in <c>reference.conf</c>). <c>With…</c>
/// methods return a modified copy. <see cref="ToString"/> masks secrets.
/// </summary>
/// <typeparam name="TKey">The record key type.</typeparam>
/// <typeparam name="TValue">The record value type.</typeparam>
public sealed class ProducerSettings<TKey, TValue>
{
    private const int MaxParallelism = 1_000_000;

    // The idempotent producer keeps order for at most five requests in flight per connection.
    private const int MaxIdempotentInFlight = 5;
    private static readonly TimeSpan MinFlushTimeout = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan MaxFlushTimeout = TimeSpan.FromHours(1);
    private static readonly TimeSpan MinRetryInterval = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan MaxRetryInterval = TimeSpan.FromSeconds(10);

    private ProducerSettings(
        string origin,
        KafkaClientProperties properties,
        ISerializer<TKey>? keySerializer,
        ISerializer<TValue>? valueSerializer,
        int parallelism,
        TimeSpan flushTimeout,
        TimeSpan queueFullRetryInterval,
        ProducerFactory? producerFactory = null)
    {
        Origin = origin;
        Properties = properties;
        KeySerializer = keySerializer;
        ValueSerializer = valueSerializer;
        Parallelism = parallelism;
        FlushTimeout = flushTimeout;
        QueueFullRetryInterval = queueFullRetryInterval;
        Factory = producerFactory;
    }

    /// <summary>Builds the producer a stage owns, given the handlers the stage wants attached.</summary>
    internal delegate IProducer<TKey, TValue> ProducerFactory(
        ProducerSettings<TKey, TValue> settings,
        Action<IProducer<TKey, TValue>, Error> errorHandler,
        Action<IProducer<TKey, TValue>, LogMessage> logHandler);

    /// <summary>The HOCON path the settings were read from, used in error messages.</summary>
    public string Origin { get; }

    /// <summary>The librdkafka properties handed to the producer.</summary>
    public KafkaClientProperties Properties { get; }

    /// <summary>The key serializer, or <c>null</c> for Confluent.Kafka's default for <typeparamref name="TKey"/>.</summary>
    public ISerializer<TKey>? KeySerializer { get; }

    /// <summary>The value serializer, or <c>null</c> for Confluent.Kafka's default for <typeparamref name="TValue"/>.</summary>
    public ISerializer<TValue>? ValueSerializer { get; }

    /// <summary>
    /// The most envelopes in flight: handed to the producer or waiting to be emitted. The stage
    /// stops pulling at this number, so it bounds memory and the results buffered for a slow
    /// downstream.
    /// </summary>
    public int Parallelism { get; }

    /// <summary>
    /// How long a stage that owns its producer waits for outstanding deliveries when it stops
    /// without failure (upstream completion, downstream cancellation).
    /// </summary>
    public TimeSpan FlushTimeout { get; }

    /// <summary>The pause before producing again after librdkafka's local queue was full.</summary>
    public TimeSpan QueueFullRetryInterval { get; }

    /// <summary>The test seam: when set, stages build their producer with it instead of <see cref="CreateKafkaProducer"/>.</summary>
    internal ProducerFactory? Factory { get; }

    /// <summary>The <c>client.id</c> property, or librdkafka's default <c>rdkafka</c>; labels the metrics and logs.</summary>
    public string ClientId => Properties.TryGetValue("client.id", out var id) ? id : "rdkafka";

    /// <summary>
    /// Reads producer settings from <paramref name="producerBlock"/>, a block laid out like
    /// <c>pipeline.kafka.producer</c>. Serializers left <c>null</c> fall back to Confluent.Kafka's
    /// defaults (string, byte[], int, long, float, double, <see cref="Null"/>).
    /// </summary>
    /// <param name="producerBlock">The producer block, e.g. <c>config.GetConfig("pipeline.kafka.producer")</c>.</param>
    /// <param name="keySerializer">The key serializer, or <c>null</c> for the default.</param>
    /// <param name="valueSerializer">The value serializer, or <c>null</c> for the default.</param>
    /// <param name="origin">The block's HOCON path, named in error messages.</param>
    /// <exception cref="KafkaConfigurationException">A key is missing or out of range, or a <c>kafka-clients</c> value cannot be passed to librdkafka.</exception>
    public static ProducerSettings<TKey, TValue> Create(
        Config producerBlock,
        ISerializer<TKey>? keySerializer,
        ISerializer<TValue>? valueSerializer,
        string origin = "pipeline.kafka.producer")
    {
        ArgumentNullException.ThrowIfNull(producerBlock);
        var settings = new ProducerSettings<TKey, TValue>(
            origin,
            KafkaClientProperties.FromConfig(RequireBlock(producerBlock, origin, "kafka-clients"), origin + ".kafka-clients"),
            keySerializer,
            valueSerializer,
            Require(producerBlock, origin, "parallelism", static (c, k) => c.GetInt(k)),
            Require(producerBlock, origin, "flush-timeout", static (c, k) => c.GetTimeSpan(k, null, allowInfinite: false)),
            Require(producerBlock, origin, "queue-full-retry-interval", static (c, k) => c.GetTimeSpan(k, null, allowInfinite: false)));
        settings.ValidateRanges();
        return settings;
    }

    /// <summary>A copy with <c>bootstrap.servers</c> set.</summary>
    public ProducerSettings<TKey, TValue> WithBootstrapServers(string bootstrapServers)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        return WithProperty("bootstrap.servers", bootstrapServers);
    }

    /// <summary>A copy with <c>client.id</c> set (it labels metrics and logs).</summary>
    public ProducerSettings<TKey, TValue> WithClientId(string clientId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        return WithProperty("client.id", clientId);
    }

    /// <summary>A copy with one librdkafka property set, overriding HOCON.</summary>
    public ProducerSettings<TKey, TValue> WithProperty(string key, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(value);
        return Copy(properties: Properties.With(key, value));
    }

    /// <summary>A copy with several librdkafka properties set, e.g. from a Confluent <see cref="ProducerConfig"/>.</summary>
    public ProducerSettings<TKey, TValue> WithProperties(IEnumerable<KeyValuePair<string, string>> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var updated = Properties;
        foreach (var (key, value) in properties) updated = updated.With(key, value);
        return Copy(properties: updated);
    }

    /// <summary>A copy with <see cref="Parallelism"/> set (1–1,000,000).</summary>
    public ProducerSettings<TKey, TValue> WithParallelism(int parallelism)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parallelism, MaxParallelism);
        return Copy(parallelism: parallelism);
    }

    /// <summary>A copy with <see cref="FlushTimeout"/> set (1 ms–1 h).</summary>
    public ProducerSettings<TKey, TValue> WithFlushTimeout(TimeSpan flushTimeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(flushTimeout, MinFlushTimeout);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(flushTimeout, MaxFlushTimeout);
        return Copy(flushTimeout: flushTimeout);
    }

    /// <summary>A copy with <see cref="QueueFullRetryInterval"/> set (1 ms–10 s).</summary>
    public ProducerSettings<TKey, TValue> WithQueueFullRetryInterval(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, MinRetryInterval);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(interval, MaxRetryInterval);
        return Copy(queueFullRetryInterval: interval);
    }

    /// <summary>A copy with the key serializer set.</summary>
    public ProducerSettings<TKey, TValue> WithKeySerializer(ISerializer<TKey> serializer) =>
        new(Origin, Properties, serializer ?? throw new ArgumentNullException(nameof(serializer)), ValueSerializer, Parallelism, FlushTimeout, QueueFullRetryInterval, Factory);

    /// <summary>A copy with the value serializer set.</summary>
    public ProducerSettings<TKey, TValue> WithValueSerializer(ISerializer<TValue> serializer) =>
        new(Origin, Properties, KeySerializer, serializer ?? throw new ArgumentNullException(nameof(serializer)), Parallelism, FlushTimeout, QueueFullRetryInterval, Factory);

    /// <summary>A copy whose stages build their producer with <paramref name="factory"/> (tests use a fake producer).</summary>
    internal ProducerSettings<TKey, TValue> WithProducerFactory(ProducerFactory factory) =>
        new(Origin, Properties, KeySerializer, ValueSerializer, Parallelism, FlushTimeout, QueueFullRetryInterval, factory ?? throw new ArgumentNullException(nameof(factory)));

    /// <summary>
    /// Checks everything that can be checked without a broker: the ranges of the stage keys,
    /// every <c>kafka-clients</c> property against librdkafka, and combinations the stage cannot
    /// work with:
    /// <list type="bullet">
    /// <item><c>enable.idempotence = true</c> needs <c>acks = all</c> and at most 5 <c>max.in.flight.requests.per.connection</c> (librdkafka refuses anything else when the client starts);</item>
    /// <item>delivery reports and Confluent.Kafka's background poll must stay on, or results never arrive;</item>
    /// <item><c>transactional.id</c> is refused: the stage does not run transactions.</item>
    /// </list>
    /// Combinations that work but weaken delivery guarantees are listed by <see cref="Warnings"/> instead.
    /// </summary>
    /// <exception cref="KafkaConfigurationException">The first problem, naming the key, its value and what is allowed.</exception>
    public void Validate()
    {
        ValidateRanges();
        Properties.Validate();
        var clients = Origin + ".kafka-clients";
        if (IsTrue("enable.idempotence") && !AcksAll())
        {
            throw new KafkaConfigurationException(
                $"{clients}.\"acks\" = '{Properties["acks"]}' conflicts with \"enable.idempotence\" = true; the idempotent producer needs acks = all (or -1)");
        }

        if (IsTrue("enable.idempotence")
            && Properties.TryGetValue("max.in.flight.requests.per.connection", out var inFlight)
            && int.TryParse(inFlight, NumberStyles.Integer, CultureInfo.InvariantCulture, out var requests)
            && requests > MaxIdempotentInFlight)
        {
            throw new KafkaConfigurationException(
                $"{clients}.\"max.in.flight.requests.per.connection\" = {requests} is out of range with \"enable.idempotence\" = true; allowed 1 to {MaxIdempotentInFlight}");
        }

        foreach (var key in new[] { "dotnet.producer.enable.delivery.reports", "dotnet.producer.enable.background.poll" })
        {
            if (Properties.TryGetValue(key, out var value) && !string.Equals(value, "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new KafkaConfigurationException($"{clients}.\"{key}\" = '{value}' is not supported; the producer stage needs it true to learn that records were delivered");
            }
        }

        foreach (var key in new[] { "transactional.id", "delivery.report.only.error" })
        {
            if (Properties.TryGetValue(key, out var value))
            {
                throw new KafkaConfigurationException($"{clients}.\"{key}\" = '{value}' is not supported by the producer stage; remove the key");
            }
        }
    }

    /// <summary>
    /// Settings that work but weaken at-least-once delivery or per-key order, one sentence each;
    /// the stage logs them as warnings when it starts. Empty for the defaults
    /// (<c>acks = all</c>, <c>enable.idempotence = true</c>).
    /// </summary>
    public IReadOnlyList<string> Warnings
    {
        get
        {
            var clients = Origin + ".kafka-clients";
            var warnings = new List<string>();
            if (!AcksAll())
            {
                var acks = Properties.TryGetValue("acks", out var a) ? a : "all";
                warnings.Add($"{clients}.\"acks\" = '{acks}': a record the leader acknowledged can still be lost when the leader fails; at-least-once delivery needs acks = all");
            }

            if (!IsTrue("enable.idempotence")
                && (!Properties.TryGetValue("max.in.flight.requests.per.connection", out var inFlight)
                    || !int.TryParse(inFlight, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n > 1))
            {
                warnings.Add($"{clients}.\"enable.idempotence\" is off and more than one request may be in flight per connection: retries can reorder or duplicate records of one partition; set enable.idempotence = true, or max.in.flight.requests.per.connection = 1");
            }

            return warnings;
        }
    }

    /// <summary>
    /// Builds a producer from these settings, e.g. to share one between several stages (a shared
    /// producer is never disposed by a stage). Without handlers librdkafka's errors and logs go
    /// to standard error.
    /// </summary>
    /// <exception cref="KafkaConfigurationException">See <see cref="Validate"/>.</exception>
    public IProducer<TKey, TValue> CreateKafkaProducer(
        Action<IProducer<TKey, TValue>, Error>? errorHandler = null,
        Action<IProducer<TKey, TValue>, LogMessage>? logHandler = null)
    {
        Validate();
        var builder = new ProducerBuilder<TKey, TValue>(Properties);
        if (KeySerializer is not null) builder.SetKeySerializer(KeySerializer);
        if (ValueSerializer is not null) builder.SetValueSerializer(ValueSerializer);
        if (errorHandler is not null) builder.SetErrorHandler(errorHandler);
        if (logHandler is not null) builder.SetLogHandler(logHandler);
        return builder.Build();
    }

    /// <summary>All settings on one line; secret librdkafka values are masked.</summary>
    public override string ToString() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"ProducerSettings({Origin}: parallelism={Parallelism}, flush-timeout={FlushTimeout.TotalMilliseconds}ms, queue-full-retry-interval={QueueFullRetryInterval.TotalMilliseconds}ms, kafka-clients={Properties})");

    private bool IsTrue(string key) =>
        Properties.TryGetValue(key, out var value) && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

    // librdkafka's own default is acks=all, so an absent key is safe.
    private bool AcksAll() =>
        !Properties.TryGetValue("acks", out var acks) || acks is "all" or "-1";

    private void ValidateRanges()
    {
        if (Parallelism is < 1 or > MaxParallelism)
        {
            throw new KafkaConfigurationException($"{Origin}.parallelism = {Parallelism} is out of range; allowed 1 to {MaxParallelism}");
        }

        CheckRange("flush-timeout", FlushTimeout, MinFlushTimeout, MaxFlushTimeout);
        CheckRange("queue-full-retry-interval", QueueFullRetryInterval, MinRetryInterval, MaxRetryInterval);
    }

    private void CheckRange(string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            throw new KafkaConfigurationException(string.Create(
                CultureInfo.InvariantCulture,
                $"{Origin}.{key} = {value.TotalMilliseconds}ms is out of range; allowed {min.TotalMilliseconds}ms to {max.TotalMilliseconds}ms"));
        }
    }

    private ProducerSettings<TKey, TValue> Copy(
        KafkaClientProperties? properties = null,
        int? parallelism = null,
        TimeSpan? flushTimeout = null,
        TimeSpan? queueFullRetryInterval = null) =>
        new(
            Origin,
            properties ?? Properties,
            KeySerializer,
            ValueSerializer,
            parallelism ?? Parallelism,
            flushTimeout ?? FlushTimeout,
            queueFullRetryInterval ?? QueueFullRetryInterval,
            Factory);

    private static Config RequireBlock(Config block, string origin, string key)
    {
        if (!block.HasPath(key))
        {
            throw new KafkaConfigurationException($"{origin}.{key} is missing; hocon/reference.conf defines it");
        }

        return block.GetConfig(key);
    }

    private static T Require<T>(Config block, string origin, string key, Func<Config, string, T> read)
    {
        if (!block.HasPath(key))
        {
            throw new KafkaConfigurationException($"{origin}.{key} is missing; hocon/reference.conf defines it");
        }

        try
        {
            return read(block, key);
        }
        catch (Exception ex) when (ex is FormatException or ConfigurationException or OverflowException or ArgumentException)
        {
            throw new KafkaConfigurationException($"{origin}.{key} = '{block.GetString(key)}' cannot be read: {ex.Message}");
        }
    }
}
