using Akka.Configuration;
using Pipeline.Graph.Configuration;
using Pipeline.Models.Domain;

namespace Pipeline.Graph.Ingest;

/// <summary>
/// Limits of the decode and validate stage, read from <c>pipeline.ingest</c>.
/// </summary>
public sealed record IngestSettings
{
    /// <summary>Largest accepted payload in bytes (<c>max-payload-bytes</c>).</summary>
    public required int MaxPayloadBytes { get; init; }

    /// <summary>Deepest accepted JSON nesting (<c>max-depth</c>).</summary>
    public required int MaxDepth { get; init; }

    /// <summary>How far in the future an event time may lie (<c>max-future-skew</c>).</summary>
    public required TimeSpan MaxFutureSkew { get; init; }

    /// <summary>Record batches decoded in parallel (<c>decode-parallelism</c>); 1 decodes inline.</summary>
    public required int DecodeParallelism { get; init; }

    /// <summary>Most records per decode batch (<c>decode-batch</c>).</summary>
    public required int DecodeBatch { get; init; }

    /// <summary>Reads the <c>pipeline.ingest</c> block; every key must be present (defaults live in reference.conf).</summary>
    /// <exception cref="ConfigurationException">A key is missing or out of range; the message names it.</exception>
    public static IngestSettings Create(Config ingest)
    {
        var settings = new IngestSettings
        {
            MaxPayloadBytes = ConfigReader.Int(ingest, "max-payload-bytes", 64, 64 * 1024 * 1024),
            MaxDepth = ConfigReader.Int(ingest, "max-depth", 2, 256),
            MaxFutureSkew = ConfigReader.Duration(ingest, "max-future-skew", TimeSpan.Zero, TimeSpan.FromDays(7)),
            DecodeParallelism = ConfigReader.Int(ingest, "decode-parallelism", 1, 16),
            DecodeBatch = ConfigReader.Int(ingest, "decode-batch", 1, 4096),
        };
        return settings;
    }

    /// <summary>The decoder limits these settings describe.</summary>
    public DecoderLimits ToDecoderLimits(TimeProvider clock) => new()
    {
        MaxPayloadBytes = MaxPayloadBytes,
        MaxDepth = MaxDepth,
        MaxFutureSkew = MaxFutureSkew,
        Clock = clock,
    };
}
