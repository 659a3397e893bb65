using System.Text;
using Akka.Configuration;
using Confluent.Kafka;
using Config = Akka.Configuration.Config;
using Pipeline.Graph.Kafka.Internal;

namespace Pipeline.Graph.Kafka;

/// <summary>
/// Immutable settings of one Kafka consumer source (<see cref="KafkaConsumer"/>), read from the
/// <c>pipeline.kafka.consumer</c> block of <c>hocon/reference.conf</c>. Every key is documented
/// there with its unit and safe range; <c>kafka-clients</c> is handed unchanged to librdkafka.
/// Each <c>With…</c> method returns a copy. <see cref="Validate"/> checks every setting (asking
/// librdkafka about <c>kafka-clients</c>) and names the HOCON key, the value and the allowed range.
/// <see cref="ToString"/> masks secrets, so the settings can be logged.
/// </summary>
/// <typeparam name="TKey">Record key type.</typeparam>
/// <typeparam name="TValue">Record value type.</typeparam>
public sealed class ConsumerSettings<TKey, TValue>
{
    /// <summary>The HOCON path of the block <see cref="Create"/> expects by default.</summary>
    public const string DefaultPath = "pipeline.kafka.consumer";

    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    private ConsumerSettings(
        string origin,
        KafkaClientProperties properties,
        IDeserializer<TKey>? keyDeserializer,
        IDeserializer<TValue>? valueDeserializer,
        TimeSpan pollTimeout,
        int bufferSize,
        TimeSpan backpressurePauseDelay,
        CommitMode commitMode,
        TimeSpan commitTimeout,
        TimeSpan commitTimeWarning,
        TimeSpan stopTimeout,
        TimeSpan closeTimeout)
    {
        Origin = origin;
        Properties = properties;
        KeyDeserializer = keyDeserializer;
        ValueDeserializer = valueDeserializer;
        PollTimeout = pollTimeout;
        BufferSize = bufferSize;
        BackpressurePauseDelay = backpressurePauseDelay;
        CommitMode = commitMode;
        CommitTimeout = commitTimeout;
        CommitTimeWarning = commitTimeWarning;
        StopTimeout = stopTimeout;
        CloseTimeout = closeTimeout;
    }

    private ConsumerSettings(ConsumerSettings<TKey, TValue> other)
        : this(
            other.Origin,
            other.Properties,
            other.KeyDeserializer,
            other.ValueDeserializer,
            other.PollTimeout,
            other.BufferSize,
            other.BackpressurePauseDelay,
            other.CommitMode,
            other.CommitTimeout,
            other.CommitTimeWarning,
            other.StopTimeout,
            other.CloseTimeout)
    {
        AssignedOffsets = other.AssignedOffsets;
    }

    /// <summary>The HOCON path the settings were read from, used in error messages.</summary>
    public string Origin { get; }

    /// <summary>The librdkafka properties (<c>kafka-clients</c>) after the <c>With…</c> overrides.</summary>
    public KafkaClientProperties Properties { get; }

    /// <summary>Key deserializer; <c>null</c> uses Confluent.Kafka's built-in one for <typeparamref name="TKey"/>.</summary>
    public IDeserializer<TKey>? KeyDeserializer { get; }

    /// <summary>Value deserializer; <c>null</c> uses Confluent.Kafka's built-in one for <typeparamref name="TValue"/>.</summary>
    public IDeserializer<TValue>? ValueDeserializer { get; }

    /// <summary><c>kafka-clients.group.id</c> (empty when unset).</summary>
    public string GroupId => Properties.TryGetValue("group.id", out var value) ? value : string.Empty;

    /// <summary><c>kafka-clients.bootstrap.servers</c> (empty when unset).</summary>
    public string BootstrapServers => Properties.TryGetValue("bootstrap.servers", out var value) ? value : string.Empty;

    /// <summary><c>poll-timeout</c>: how long one poll waits for a record before the consumer thread serves commands again.</summary>
    public TimeSpan PollTimeout { get; }

    /// <summary><c>buffer-size</c>: records held between the consumer thread and the stream; reaching it pauses every owned partition, draining to half resumes them.</summary>
    public int BufferSize { get; }

    /// <summary>
    /// <c>backpressure-pause-delay</c>: how long the buffer must stay full before every owned
    /// partition is paused. Until then the consumer thread stops taking records (they wait in
    /// librdkafka's bounded prefetch queue); after it, it pauses and keeps polling so it stays
    /// responsive to the group. librdkafka needs roughly half a second after a resume before
    /// records flow again, so pausing on every full buffer would throttle a busy stream.
    /// </summary>
    public TimeSpan BackpressurePauseDelay { get; }

    /// <summary><c>commit-mode</c>: how committed offsets reach the broker.</summary>
    public CommitMode CommitMode { get; }

    /// <summary><c>commit-timeout</c>: how long a synchronous commit may keep failing with retriable errors before the committer fails.</summary>
    public TimeSpan CommitTimeout { get; }

    /// <summary><c>commit-time-warning</c>: a commit or store slower than this is logged as a warning.</summary>
    public TimeSpan CommitTimeWarning { get; }

    /// <summary><c>stop-timeout</c>: how long the consumer keeps serving commits after its source stopped without a draining shutdown; also the longest <see cref="IControl.DrainAndShutdown{T}"/> waits for the stream.</summary>
    public TimeSpan StopTimeout { get; }

    /// <summary><c>close-timeout</c>: the longest closing the consumer (final commit, leaving the group) may take before <see cref="IControl.IsShutdown"/> fails.</summary>
    public TimeSpan CloseTimeout { get; }

    /// <summary>
    /// Where newly assigned partitions start when offsets are stored beside the data (see
    /// <see cref="WithAssignedOffsets"/>); null to start at the group's committed offsets.
    /// </summary>
    public IAssignedOffsetsSource? AssignedOffsets { get; private init; }

    /// <summary>How long the poll thread waits for <see cref="AssignedOffsets"/> before it fails the source.</summary>
    public TimeSpan AssignedOffsetsTimeout => CommitTimeout;

    /// <summary>
    /// Reads the settings from <paramref name="consumerBlock"/> (normally
    /// <c>config.GetConfig("pipeline.kafka.consumer")</c>). Every key must be present.
    /// </summary>
    /// <param name="consumerBlock">The consumer block.</param>
    /// <param name="keyDeserializer">Key deserializer, or <c>null</c> for Confluent.Kafka's built-in one.</param>
    /// <param name="valueDeserializer">Value deserializer, or <c>null</c> for Confluent.Kafka's built-in one.</param>
    /// <param name="origin">The block's HOCON path, named in error messages.</param>
    /// <exception cref="KafkaConfigurationException">A key is missing or malformed.</exception>
    public static ConsumerSettings<TKey, TValue> Create(
        Config consumerBlock,
        IDeserializer<TKey>? keyDeserializer,
        IDeserializer<TValue>? valueDeserializer,
        string origin = DefaultPath)
    {
        KafkaHoconReader.RequireBlock(consumerBlock, origin);
        var modeText = KafkaHoconReader.String(consumerBlock, origin, "commit-mode");
        var mode = modeText switch
        {
            "store-and-auto-commit" => CommitMode.StoreAndAutoCommit,
            "synchronous" => CommitMode.Synchronous,
            _ => throw new KafkaConfigurationException($"{origin}.commit-mode = '{modeText}' is not one of: store-and-auto-commit, synchronous"),
        };
        if (!consumerBlock.HasPath("kafka-clients"))
        {
            throw new KafkaConfigurationException($"{origin}.kafka-clients is missing; its defaults belong in hocon/reference.conf");
        }

        return new ConsumerSettings<TKey, TValue>(
            origin,
            KafkaClientProperties.FromConfig(consumerBlock.GetConfig("kafka-clients"), origin + ".kafka-clients"),
            keyDeserializer,
            valueDeserializer,
            KafkaHoconReader.Duration(consumerBlock, origin, "poll-timeout"),
            KafkaHoconReader.Int(consumerBlock, origin, "buffer-size"),
            KafkaHoconReader.Duration(consumerBlock, origin, "backpressure-pause-delay"),
            mode,
            KafkaHoconReader.Duration(consumerBlock, origin, "commit-timeout"),
            KafkaHoconReader.Duration(consumerBlock, origin, "commit-time-warning"),
            KafkaHoconReader.Duration(consumerBlock, origin, "stop-timeout"),
            KafkaHoconReader.Duration(consumerBlock, origin, "close-timeout"));
    }

    /// <summary>
    /// Starts every newly assigned partition at the offset <paramref name="source"/> reports (when it
    /// reports one), so a consumer whose store keeps offsets in the same transaction as its rows never
    /// re-reads what is already written and never skips what is not. The lookup runs on the consumer's
    /// own poll thread inside the assignment callback; if it fails or exceeds the commit timeout the
    /// source fails rather than start at a guessed position.
    /// </summary>
    /// <param name="source">The offsets' home, or null to use the group's committed offsets.</param>
    public ConsumerSettings<TKey, TValue> WithAssignedOffsets(IAssignedOffsetsSource? source) =>
        new(this) { AssignedOffsets = source };

    /// <summary>Sets <c>kafka-clients.bootstrap.servers</c>.</summary>
    public ConsumerSettings<TKey, TValue> WithBootstrapServers(string bootstrapServers) => WithProperty("bootstrap.servers", bootstrapServers);

    /// <summary>Sets <c>kafka-clients.group.id</c>.</summary>
    public ConsumerSettings<TKey, TValue> WithGroupId(string groupId) => WithProperty("group.id", groupId);

    /// <summary>Sets <c>kafka-clients.client.id</c>.</summary>
    public ConsumerSettings<TKey, TValue> WithClientId(string clientId) => WithProperty("client.id", clientId);

    /// <summary>Sets one librdkafka property (normalised like HOCON values; checked by <see cref="Validate"/>).</summary>
    public ConsumerSettings<TKey, TValue> WithProperty(string key, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(value);
        return Copy(properties: Properties.With(key, value));
    }

    /// <summary>Sets several librdkafka properties.</summary>
    public ConsumerSettings<TKey, TValue> WithProperties(IEnumerable<KeyValuePair<string, string>> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var result = Properties;
        foreach (var (key, value) in properties) result = result.With(key, value);
        return Copy(properties: result);
    }

    /// <summary>Sets the key deserializer.</summary>
    public ConsumerSettings<TKey, TValue> WithKeyDeserializer(IDeserializer<TKey>? keyDeserializer) =>
        new(Origin, Properties, keyDeserializer, ValueDeserializer, PollTimeout, BufferSize, BackpressurePauseDelay, CommitMode, CommitTimeout, CommitTimeWarning, StopTimeout, CloseTimeout);

    /// <summary>Sets the value deserializer.</summary>
    public ConsumerSettings<TKey, TValue> WithValueDeserializer(IDeserializer<TValue>? valueDeserializer) =>
        new(Origin, Properties, KeyDeserializer, valueDeserializer, PollTimeout, BufferSize, BackpressurePauseDelay, CommitMode, CommitTimeout, CommitTimeWarning, StopTimeout, CloseTimeout);

    /// <summary>Sets <c>poll-timeout</c>.</summary>
    public ConsumerSettings<TKey, TValue> WithPollTimeout(TimeSpan pollTimeout) => Copy(pollTimeout: pollTimeout);

    /// <summary>Sets <c>buffer-size</c>.</summary>
    public ConsumerSettings<TKey, TValue> WithBufferSize(int bufferSize) => Copy(bufferSize: bufferSize);

    /// <summary>Sets <c>backpressure-pause-delay</c>.</summary>
    public ConsumerSettings<TKey, TValue> WithBackpressurePauseDelay(TimeSpan backpressurePauseDelay) => Copy(backpressurePauseDelay: backpressurePauseDelay);

    /// <summary>Sets <c>commit-mode</c>.</summary>
    public ConsumerSettings<TKey, TValue> WithCommitMode(CommitMode commitMode) => Copy(commitMode: commitMode);

    /// <summary>Sets <c>commit-timeout</c>.</summary>
    public ConsumerSettings<TKey, TValue> WithCommitTimeout(TimeSpan commitTimeout) => Copy(commitTimeout: commitTimeout);

    /// <summary>Sets <c>commit-time-warning</c>.</summary>
    public ConsumerSettings<TKey, TValue> WithCommitTimeWarning(TimeSpan commitTimeWarning) => Copy(commitTimeWarning: commitTimeWarning);

    /// <summary>Sets <c>stop-timeout</c>.</summary>
    public ConsumerSettings<TKey, TValue> WithStopTimeout(TimeSpan stopTimeout) => Copy(stopTimeout: stopTimeout);

    /// <summary>Sets <c>close-timeout</c>.</summary>
    public ConsumerSettings<TKey, TValue> WithCloseTimeout(TimeSpan closeTimeout) => Copy(closeTimeout: closeTimeout);

    /// <summary>
    /// Checks every setting: the ranges of the pipeline's own keys, that <c>group.id</c> and
    /// <c>bootstrap.servers</c> are set, and every <c>kafka-clients</c> property by asking librdkafka.
    /// The sources call it when they are created, so a bad setting fails at startup.
    /// </summary>
    /// <exception cref="KafkaConfigurationException">The first bad setting, naming its HOCON key, value and allowed range.</exception>
    public void Validate()
    {
        KafkaHoconReader.CheckRange(Origin, "poll-timeout", PollTimeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(5));
        KafkaHoconReader.CheckRange(Origin, "buffer-size", BufferSize, 1, 1_000_000);
        KafkaHoconReader.CheckRange(Origin, "backpressure-pause-delay", BackpressurePauseDelay, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        KafkaHoconReader.CheckRange(Origin, "commit-timeout", CommitTimeout, TimeSpan.FromSeconds(1), MaxTimeout);
        KafkaHoconReader.CheckRange(Origin, "commit-time-warning", CommitTimeWarning, TimeSpan.FromMilliseconds(1), MaxTimeout);
        KafkaHoconReader.CheckRange(Origin, "stop-timeout", StopTimeout, TimeSpan.Zero, MaxTimeout);
        KafkaHoconReader.CheckRange(Origin, "close-timeout", CloseTimeout, TimeSpan.FromSeconds(1), MaxTimeout);
        if (string.IsNullOrWhiteSpace(BootstrapServers))
        {
            throw new KafkaConfigurationException($"{Properties.Origin}.\"bootstrap.servers\" is empty: name at least one broker as host:port");
        }

        if (string.IsNullOrWhiteSpace(GroupId))
        {
            throw new KafkaConfigurationException($"{Properties.Origin}.\"group.id\" is empty: consumers need a group to commit offsets");
        }

        Properties.Validate();
    }

    /// <summary>The settings with secrets masked.</summary>
    public override string ToString() =>
        new StringBuilder("ConsumerSettings(")
            .Append("poll-timeout=").Append(KafkaHoconReader.Show(PollTimeout))
            .Append(", buffer-size=").Append(BufferSize)
            .Append(", backpressure-pause-delay=").Append(KafkaHoconReader.Show(BackpressurePauseDelay))
            .Append(", commit-mode=").Append(CommitMode)
            .Append(", commit-timeout=").Append(KafkaHoconReader.Show(CommitTimeout))
            .Append(", commit-time-warning=").Append(KafkaHoconReader.Show(CommitTimeWarning))
            .Append(", stop-timeout=").Append(KafkaHoconReader.Show(StopTimeout))
            .Append(", close-timeout=").Append(KafkaHoconReader.Show(CloseTimeout))
            .Append(", kafka-clients=").Append(Properties)
            .Append(')')
            .ToString();

    /// <summary>
    /// The properties a committable source builds its consumer with: the offset-commit keys are
    /// derived from <see cref="CommitMode"/>, so setting them in <c>kafka-clients</c> is refused
    /// instead of silently breaking at-least-once delivery.
    /// </summary>
    internal IEnumerable<KeyValuePair<string, string>> CommittableClientProperties()
    {
        foreach (var key in new[] { "enable.auto.commit", "enable.auto.offset.store" })
        {
            if (Properties.ContainsKey(key))
            {
                throw new KafkaConfigurationException(
                    $"{Properties.Origin}.\"{key}\" = '{Properties[key]}' conflicts with {Origin}.commit-mode: committable sources derive it from commit-mode; remove it");
            }
        }

        return Properties
            .With("enable.auto.commit", CommitMode == CommitMode.StoreAndAutoCommit ? "true" : "false")
            .With("enable.auto.offset.store", "false");
    }

    /// <summary>
    /// The properties a plain source builds its consumer with: it never commits unless the user
    /// opts into librdkafka's own auto-commit in <c>kafka-clients</c>.
    /// </summary>
    internal IEnumerable<KeyValuePair<string, string>> PlainClientProperties() =>
        Properties.WithDefault("enable.auto.commit", "false");

    private ConsumerSettings<TKey, TValue> Copy(
        KafkaClientProperties? properties = null,
        TimeSpan? pollTimeout = null,
        int? bufferSize = null,
        TimeSpan? backpressurePauseDelay = null,
        CommitMode? commitMode = null,
        TimeSpan? commitTimeout = null,
        TimeSpan? commitTimeWarning = null,
        TimeSpan? stopTimeout = null,
        TimeSpan? closeTimeout = null) =>
        new(
            Origin,
            properties ?? Properties,
            KeyDeserializer,
            ValueDeserializer,
            pollTimeout ?? PollTimeout,
            bufferSize ?? BufferSize,
            backpressurePauseDelay ?? BackpressurePauseDelay,
            commitMode ?? CommitMode,
            commitTimeout ?? CommitTimeout,
            commitTimeWarning ?? CommitTimeWarning,
            stopTimeout ?? StopTimeout,
            closeTimeout ?? CloseTimeout)
        {
            AssignedOffsets = AssignedOffsets,
        };
}
