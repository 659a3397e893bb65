using Akka.Configuration;
using Pipeline.Graph.Configuration;

namespace Pipeline.Host.Hosting;

/// <summary>The embedded synthetic producer's settings (<c>pipeline.embedded.producer</c>).</summary>
public sealed record EmbeddedProducerOptions
{
    /// <summary><c>enabled</c>.</summary>
    public required bool Enabled { get; init; }

    /// <summary><c>rate</c>, records per second; 0 is unlimited.</summary>
    public required int Rate { get; init; }

    /// <summary><c>count</c>, transactions in total.</summary>
    public required long Count { get; init; }

    /// <summary><c>accounts</c>.</summary>
    public required int Accounts { get; init; }

    /// <summary><c>seed</c>.</summary>
    public required long Seed { get; init; }

    /// <summary><c>label-delay</c>.</summary>
    public required TimeSpan LabelDelay { get; init; }

    /// <summary>Reads the block.</summary>
    public static EmbeddedProducerOptions Create(Config block) => new()
    {
        Enabled = ConfigReader.Bool(block, "enabled"),
        Rate = ConfigReader.Int(block, "rate", 0, 1_000_000),
        Count = ConfigReader.Long(block, "count", 0, 100_000_000),
        Accounts = ConfigReader.Int(block, "accounts", 1, 10_000_000),
        Seed = ConfigReader.Long(block, "seed", long.MinValue, long.MaxValue),
        LabelDelay = ConfigReader.Duration(block, "label-delay", TimeSpan.Zero, TimeSpan.FromDays(90)),
    };
}
