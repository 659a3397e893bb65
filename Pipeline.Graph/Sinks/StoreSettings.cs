using Akka.Configuration;
using Pipeline.Graph.Configuration;
using Pipeline.Graph.Sinks.Postgres;

namespace Pipeline.Graph.Sinks;

/// <summary>Batching and retry of the store stage, read from <c>pipeline.store</c>.</summary>
public sealed record StoreSettings
{
    /// <summary><c>kind</c>: sqlite, postgres or none.</summary>
    public required string Kind { get; init; }

    /// <summary><c>sqlite.path</c>: database file; empty means the per-user data folder.</summary>
    public required string SqlitePath { get; init; }

    /// <summary><c>postgres</c>: the PostgreSQL/TimescaleDB store (used when <see cref="Kind"/> is postgres).</summary>
    public required PostgresStoreSettings Postgres { get; init; }

    /// <summary><c>batch-size</c>: most rows per write.</summary>
    public required int BatchSize { get; init; }

    /// <summary><c>flush-interval</c>: longest a partial batch waits.</summary>
    public required TimeSpan FlushInterval { get; init; }

    /// <summary><c>retry.min-backoff</c>: first retry delay after a failed write.</summary>
    public required TimeSpan MinBackoff { get; init; }

    /// <summary><c>retry.max-backoff</c>: cap of the exponential retry delay.</summary>
    public required TimeSpan MaxBackoff { get; init; }

    /// <summary><c>retry.random-factor</c>: jitter added to each delay, as a fraction of it.</summary>
    public required double RandomFactor { get; init; }

    /// <summary>Reads <c>pipeline.store</c>.</summary>
    public static StoreSettings Create(Config store) => new()
    {
        Kind = ConfigReader.OneOf(store, "kind", "sqlite", "postgres", "none"),
        SqlitePath = ConfigReader.String(store, "sqlite.path"),
        Postgres = PostgresStoreSettings.Create(ConfigReader.Block(store, "postgres")),
        BatchSize = ConfigReader.Int(store, "batch-size", 1, 100_000),
        FlushInterval = ConfigReader.Duration(store, "flush-interval", TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1)),
        MinBackoff = ConfigReader.Duration(store, "retry.min-backoff", TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1)),
        MaxBackoff = ConfigReader.Duration(store, "retry.max-backoff", TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(10)),
        RandomFactor = ConfigReader.Double(store, "retry.random-factor", 0, 1),
    };

    /// <summary>The delay before retry number <paramref name="attempt"/> (1-based), with jitter from <paramref name="random"/>.</summary>
    public TimeSpan Backoff(int attempt, Random random)
    {
        var exp = Math.Min(MaxBackoff.TotalMilliseconds, MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30)));
        return TimeSpan.FromMilliseconds(exp * (1 + (RandomFactor * random.NextDouble())));
    }
}
