using Akka.Configuration;
using Pipeline.Graph.Configuration;

namespace Pipeline.Graph.Sinks.Postgres;

/// <summary>
/// Storage policies applied when the TimescaleDB extension is present, read from
/// <c>pipeline.store.postgres.timescale</c>. On plain PostgreSQL they are ignored.
/// </summary>
public sealed record TimescaleSettings
{
    /// <summary><c>chunk-interval</c>: time span of one hypertable chunk (new chunks only).</summary>
    public required TimeSpan ChunkInterval { get; init; }

    /// <summary><c>compress-after</c>: chunks older than this are compressed; zero disables compression.</summary>
    public required TimeSpan CompressAfter { get; init; }

    /// <summary><c>retain-for</c>: chunks older than this are dropped; zero keeps everything.</summary>
    public required TimeSpan RetainFor { get; init; }

    /// <summary>Reads <c>pipeline.store.postgres.timescale</c>.</summary>
    public static TimescaleSettings Create(Config timescale) => new()
    {
        ChunkInterval = ConfigReader.Duration(timescale, "chunk-interval", TimeSpan.FromMinutes(1), TimeSpan.FromDays(366)),
        CompressAfter = ConfigReader.Duration(timescale, "compress-after", TimeSpan.Zero, TimeSpan.FromDays(3660)),
        RetainFor = ConfigReader.Duration(timescale, "retain-for", TimeSpan.Zero, TimeSpan.FromDays(36600)),
    };
}
