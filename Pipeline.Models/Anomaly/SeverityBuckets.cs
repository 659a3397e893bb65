namespace Pipeline.Models.Anomaly;

/// <summary>
/// Maps a score in [0, 1] to a <see cref="Severity"/> by three ascending cut points: below
/// <see cref="Medium"/> is <see cref="Severity.Low"/>, from <see cref="Medium"/> is
/// <see cref="Severity.Medium"/>, from <see cref="High"/> is <see cref="Severity.High"/>, from
/// <see cref="Critical"/> is <see cref="Severity.Critical"/> (each cut point belongs to the
/// upper bucket). Immutable and thread-safe.
/// </summary>
public sealed class SeverityBuckets
{
    /// <summary>Creates the buckets.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The cut points are not strictly ascending inside (0, 1]; the message names the offending one.</exception>
    public SeverityBuckets(double medium, double high, double critical)
    {
        if (!(medium > 0.0 && medium <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(medium), medium, "the medium cut point must be in (0, 1]");
        }

        if (!(high > medium && high <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(high), high, $"the high cut point must be in (medium = {medium}, 1]");
        }

        if (!(critical > high && critical <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(critical), critical, $"the critical cut point must be in (high = {high}, 1]");
        }

        Medium = medium;
        High = high;
        Critical = critical;
    }

    /// <summary>Lowest score that is <see cref="Severity.Medium"/>.</summary>
    public double Medium { get; }

    /// <summary>Lowest score that is <see cref="Severity.High"/>.</summary>
    public double High { get; }

    /// <summary>Lowest score that is <see cref="Severity.Critical"/>.</summary>
    public double Critical { get; }

    /// <summary>The severity of <paramref name="score"/>; NaN is <see cref="Severity.Low"/>.</summary>
    public Severity Classify(double score) =>
        score >= Critical ? Severity.Critical
        : score >= High ? Severity.High
        : score >= Medium ? Severity.Medium
        : Severity.Low;

    /// <summary>The upper-case name stored and sent for <paramref name="severity"/>: LOW, MEDIUM, HIGH or CRITICAL.</summary>
    public static string WireName(Severity severity) => severity switch
    {
        Severity.Low => "LOW",
        Severity.Medium => "MEDIUM",
        Severity.High => "HIGH",
        Severity.Critical => "CRITICAL",
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, "unknown severity"),
    };
}
