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
    /// <exception cref="ConfigurationException">A key is missing or out of range.</exception>
    public static TimescaleSettings Create(Config timescale)
    {
        var settings = new TimescaleSettings
        {
            ChunkInterval = ConfigReader.Duration(timescale, "chunk-interval", TimeSpan.FromMinutes(1), TimeSpan.FromDays(366)),
            CompressAfter = ConfigReader.Duration(timescale, "compress-after", TimeSpan.Zero, TimeSpan.FromDays(3660)),
            RetainFor = ConfigReader.Duration(timescale, "retain-for", TimeSpan.Zero, TimeSpan.FromDays(36600)),
        };

        // The continuous aggregate refreshes the last two hours; dropping raw chunks inside that
        // window would erase aggregated minutes.
        if (settings.RetainFor > TimeSpan.Zero && settings.RetainFor < TimeSpan.FromDays(1))
        {
            throw new ConfigurationException($"setting 'retain-for' = {settings.RetainFor} must be 0 (keep everything) or at least 1d");
        }

        if (settings.CompressAfter > TimeSpan.Zero && settings.CompressAfter < TimeSpan.FromHours(1))
        {
            throw new ConfigurationException($"setting 'compress-after' = {settings.CompressAfter} must be 0 (no compression) or at least 1h");
        }

        return settings;
    }
}
