using Akka.Configuration;
using Pipeline.Graph.Configuration;

namespace Pipeline.Graph.Ingest;

/// <summary>
/// Settings of the dedupe stage, read from <c>pipeline.dedupe</c> (every key required; defaults live in
/// <c>hocon/reference.conf</c>).
/// </summary>
public sealed record DedupeSettings
{
    /// <summary>The store kinds of <see cref="Store"/>.</summary>
    public static readonly string[] StoreKinds = ["memory", "redis"];

    /// <summary><c>store</c>: <c>memory</c> (<see cref="InMemoryDedupeStore"/>) or <c>redis</c> (<see cref="RedisDedupeStore"/>).</summary>
    public required string Store { get; init; }

    /// <summary><c>ttl</c>: how long a transaction id is remembered (1 s – 30 days).</summary>
    public required TimeSpan Ttl { get; init; }

    /// <summary><c>batch-size</c>: most claims decided in one store round-trip (1 – 10,000).</summary>
    public required int BatchSize { get; init; }

    /// <summary><c>memory.capacity</c>: most ids the in-memory store (or the Redis fallback) remembers (1 – 100,000,000).</summary>
    public required int MemoryCapacity { get; init; }

    /// <summary><c>redis.key-prefix</c>: prefix of the Redis keys; the transaction id follows it.</summary>
    public required string RedisKeyPrefix { get; init; }

    /// <summary><c>redis.timeout</c>: the longest one batch may wait for Redis before the fallback decides it (10 ms – 30 s).</summary>
    public required TimeSpan RedisTimeout { get; init; }

    /// <summary><c>redis.retry-interval</c>: while Redis is unavailable, how often a batch tries it again (10 ms – 10 min).</summary>
    public required TimeSpan RedisRetryInterval { get; init; }

    /// <summary>Reads the <c>pipeline.dedupe</c> block.</summary>
    /// <exception cref="ConfigurationException">A key is missing or out of range; the message names it.</exception>
    public static DedupeSettings Create(Config dedupe) => new()
    {
        Store = ConfigReader.OneOf(dedupe, "store", StoreKinds),
        Ttl = ConfigReader.Duration(dedupe, "ttl", TimeSpan.FromSeconds(1), TimeSpan.FromDays(30)),
        BatchSize = ConfigReader.Int(dedupe, "batch-size", 1, 10_000),
        MemoryCapacity = ConfigReader.Int(dedupe, "memory.capacity", 1, 100_000_000),
        RedisKeyPrefix = ConfigReader.String(dedupe, "redis.key-prefix", allowEmpty: false),
        RedisTimeout = ConfigReader.Duration(dedupe, "redis.timeout", TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(30)),
        RedisRetryInterval = ConfigReader.Duration(dedupe, "redis.retry-interval", TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10)),
    };

    /// <summary>The in-memory store these settings describe (also the Redis store's fallback).</summary>
    public InMemoryDedupeStore CreateMemoryStore(TimeProvider clock) => new(MemoryCapacity, Ttl, clock);
}
