using System.Text;
using Pipeline.Models.Synthetic;

namespace Pipeline.Host.Producing;

/// <summary>
/// Settings of <see cref="SyntheticProducer"/>. Immutable; each initializer validates its value and names the
/// property, the value and the allowed range. <see cref="ToString"/> masks Kafka properties that hold secrets.
/// </summary>
public sealed record SyntheticProducerOptions
{
    /// <summary>Kafka bootstrap servers, <c>host:port[,host:port…]</c>.</summary>
    public required string BootstrapServers
    {
        get;
        init => field = !string.IsNullOrWhiteSpace(value) ? value : throw new ArgumentException("BootstrapServers must not be empty", nameof(BootstrapServers));
    }

    /// <summary>Topic for transactions (default <c>transactions</c>), keyed by account id.</summary>
    public string TransactionsTopic
    {
        get;
        init => field = !string.IsNullOrWhiteSpace(value) ? value : throw new ArgumentException("TransactionsTopic must not be empty", nameof(TransactionsTopic));
    } = "transactions";

    /// <summary>Topic for delayed labels (default <c>transaction-labels</c>), keyed by account id.</summary>
    public string LabelsTopic
    {
        get;
        init => field = !string.IsNullOrWhiteSpace(value) ? value : throw new ArgumentException("LabelsTopic must not be empty", nameof(LabelsTopic));
    } = "transaction-labels";

    /// <summary>Transactions per second (default 1000; 0 = unlimited; range [0, 10 000 000]). Labels are not counted.</summary>
    public double RatePerSecond
    {
        get;
        init => field = value is >= 0 and <= 10_000_000 ? value : throw new ArgumentOutOfRangeException(nameof(RatePerSecond), value, "RatePerSecond must be in [0, 10000000]");
    } = 1000;

    /// <summary>The scenario: counts per phase, accounts, seed, label delay and the rest.</summary>
    public GeneratorOptions Generator
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(Generator));
    } = new();

    /// <summary>librdkafka <c>linger.ms</c> (default 5; range [0, 1000]): a short wait that lets batches fill.</summary>
    public int LingerMs
    {
        get;
        init => field = value is >= 0 and <= 1000 ? value : throw new ArgumentOutOfRangeException(nameof(LingerMs), value, "LingerMs must be in [0, 1000]");
    } = 5;

    /// <summary>Minimum wall time between two progress reports (default 500 ms; range [50 ms, 1 h]).</summary>
    public TimeSpan ProgressInterval
    {
        get;
        init => field = value >= TimeSpan.FromMilliseconds(50) && value <= TimeSpan.FromHours(1)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ProgressInterval), value, "ProgressInterval must be in [50 ms, 1 h]");
    } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long the final flush may wait for acknowledgements (default 30 s; range [0, 10 min]).</summary>
    public TimeSpan FlushTimeout
    {
        get;
        init => field = value >= TimeSpan.Zero && value <= TimeSpan.FromMinutes(10)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(FlushTimeout), value, "FlushTimeout must be in [0, 10 min]");
    } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Extra librdkafka properties (security, client id, queue sizes …). They are applied last, so they override
    /// the producer's own settings (<c>acks=all</c>, <c>enable.idempotence=true</c>, <c>linger.ms</c>).
    /// </summary>
    public IReadOnlyDictionary<string, string> KafkaProperties
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(KafkaProperties));
    } = new Dictionary<string, string>();

    /// <inheritdoc />
    public override string ToString()
    {
        var props = string.Join(", ", KafkaProperties.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={(IsSecret(p.Key) ? "*****" : p.Value)}"));
        var sb = new StringBuilder();
        sb.Append("SyntheticProducerOptions { BootstrapServers = ").Append(BootstrapServers)
            .Append(", TransactionsTopic = ").Append(TransactionsTopic)
            .Append(", LabelsTopic = ").Append(LabelsTopic)
            .Append(", RatePerSecond = ").Append(RatePerSecond)
            .Append(", Generator = ").Append(Generator)
            .Append(", LingerMs = ").Append(LingerMs)
            .Append(", ProgressInterval = ").Append(ProgressInterval)
            .Append(", FlushTimeout = ").Append(FlushTimeout)
            .Append(", KafkaProperties = { ").Append(props).Append(" } }");
        return sb.ToString();
    }

    private static bool IsSecret(string key) =>
        key.Contains("password", StringComparison.OrdinalIgnoreCase)
        || key.Contains("secret", StringComparison.OrdinalIgnoreCase)
        || key.Contains("sasl.oauthbearer.config", StringComparison.OrdinalIgnoreCase)
        || key.Contains("key.pem", StringComparison.OrdinalIgnoreCase);
}
