using Akka.Configuration;
using Pipeline.Graph.Configuration;
using Pipeline.Models.Features;

namespace Pipeline.Graph.Windows;

/// <summary>
/// Settings of the account-window stage and its feature store, read from <c>pipeline.windows</c>
/// by <see cref="Create"/> (every key required; defaults live in <c>hocon/reference.conf</c>).
/// Immutable: derive variants with <c>with</c>.
/// </summary>
public sealed record WindowSettings
{
    /// <summary>The configuration path of the block <see cref="Create"/> reads.</summary>
    public const string DefaultPath = "pipeline.windows";

    /// <summary><c>sizes</c>: window lengths, in feature order.</summary>
    public required IReadOnlyList<TimeSpan> Sizes { get; init; }

    /// <summary><c>buckets-per-window</c>: time buckets per window.</summary>
    public required int BucketsPerWindow { get; init; }

    /// <summary><c>allowed-lateness</c>: events further behind the account's newest event time are flagged late.</summary>
    public required TimeSpan AllowedLateness { get; init; }

    /// <summary><c>known-set-capacity.merchants</c>.</summary>
    public required int KnownMerchants { get; init; }

    /// <summary><c>known-set-capacity.countries</c>.</summary>
    public required int KnownCountries { get; init; }

    /// <summary><c>known-set-capacity.devices</c>.</summary>
    public required int KnownDevices { get; init; }

    /// <summary><c>idle-ttl</c>: an account without records for this long is checkpointed and dropped from memory.</summary>
    public required TimeSpan IdleTtl { get; init; }

    /// <summary><c>checkpoint-interval</c>: longest a changed account waits before it is written to the store.</summary>
    public required TimeSpan CheckpointInterval { get; init; }

    /// <summary><c>checkpoint-batch</c>: most accounts per store write; a write starts as soon as this many changed.</summary>
    public required int CheckpointBatch { get; init; }

    /// <summary><c>load-batch</c>: most accounts per store read.</summary>
    public required int LoadBatch { get; init; }

    /// <summary><c>max-in-flight</c>: most elements the stage holds (waiting for a load or a checkpoint) before it stops pulling.</summary>
    public required int MaxInFlight { get; init; }

    /// <summary><c>store-timeout</c>: a load or checkpoint taking longer counts as failed and degrades the stage.</summary>
    public required TimeSpan StoreTimeout { get; init; }

    /// <summary><c>retry-interval</c>: while degraded, how often checkpoints are retried.</summary>
    public required TimeSpan RetryInterval { get; init; }

    /// <summary><c>store</c>: memory or redis.</summary>
    public required FeatureStoreKind Store { get; init; }

    /// <summary><c>memory.ttl</c>: how long the in-memory store keeps an account after its last checkpoint.</summary>
    public required TimeSpan MemoryTtl { get; init; }

    /// <summary><c>redis.*</c>.</summary>
    public required RedisFeatureStoreSettings Redis { get; init; }

    /// <summary>Reads the <c>pipeline.windows</c> block.</summary>
    /// <exception cref="ConfigurationException">A key is missing or out of range; the message names it.</exception>
    public static WindowSettings Create(Config windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        var settings = new WindowSettings
        {
            Sizes = Durations(windows, "sizes"),
            BucketsPerWindow = ConfigReader.Int(windows, "buckets-per-window", 1, 3600),
            AllowedLateness = ConfigReader.Duration(windows, "allowed-lateness", TimeSpan.Zero, TimeSpan.FromDays(7)),
            KnownMerchants = ConfigReader.Int(windows, "known-set-capacity.merchants", 1, 1024),
            KnownCountries = ConfigReader.Int(windows, "known-set-capacity.countries", 1, 1024),
            KnownDevices = ConfigReader.Int(windows, "known-set-capacity.devices", 1, 1024),
            IdleTtl = ConfigReader.Duration(windows, "idle-ttl", TimeSpan.FromSeconds(1), TimeSpan.FromDays(7)),
            CheckpointInterval = ConfigReader.Duration(windows, "checkpoint-interval", TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1)),
            CheckpointBatch = ConfigReader.Int(windows, "checkpoint-batch", 1, 100_000),
            LoadBatch = ConfigReader.Int(windows, "load-batch", 1, 100_000),
            MaxInFlight = ConfigReader.Int(windows, "max-in-flight", 1, 1_000_000),
            StoreTimeout = ConfigReader.Duration(windows, "store-timeout", TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(5)),
            RetryInterval = ConfigReader.Duration(windows, "retry-interval", TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10)),
            Store = ConfigReader.OneOf(windows, "store", "memory", "redis") == "redis" ? FeatureStoreKind.Redis : FeatureStoreKind.Memory,
            MemoryTtl = ConfigReader.Duration(windows, "memory.ttl", TimeSpan.FromSeconds(1), TimeSpan.FromDays(3650)),
            Redis = new RedisFeatureStoreSettings
            {
                ConnectionString = ConfigReader.String(windows, "redis.connection-string", allowEmpty: false),
                KeyPrefix = ConfigReader.String(windows, "redis.key-prefix"),
                Ttl = ConfigReader.Duration(windows, "redis.ttl", TimeSpan.FromSeconds(1), TimeSpan.FromDays(3650)),
                OperationTimeout = ConfigReader.Duration(windows, "redis.operation-timeout", TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(5)),
            },
        };
        try
        {
            settings.ToFeatureOptions();
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException($"setting 'sizes' / 'buckets-per-window' / 'known-set-capacity' is invalid: {e.Message}");
        }

        return settings;
    }

    /// <summary>The pure feature options these settings describe.</summary>
    /// <exception cref="ArgumentException">The windows do not divide into the buckets (see <see cref="AccountFeatureOptions"/>).</exception>
    public AccountFeatureOptions ToFeatureOptions() =>
        new(Sizes, BucketsPerWindow, AllowedLateness, KnownMerchants, KnownCountries, KnownDevices);

    private static TimeSpan[] Durations(Config config, string key)
    {
        ConfigReader.Require(config, key);
        TimeSpan[] values;
        try
        {
            values = config.GetValue(key).GetArray().Select(v => v.GetTimeSpan(allowInfinite: false)).ToArray();
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw new ConfigurationException($"setting '{ConfigReader.PathOf(config, key)}' = '{config.GetValue(key)}' must be a list of durations such as [1m, 1h, 24h]");
        }

        if (values.Length is < 1 or > 16) throw new ConfigurationException($"setting '{ConfigReader.PathOf(config, key)}' must list 1 to 16 windows, got {values.Length}");
        return values;
    }
}
