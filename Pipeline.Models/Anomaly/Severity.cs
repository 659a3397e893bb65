namespace Pipeline.Models.Anomaly;

/// <summary>How urgent an alert is, from its score (see <see cref="SeverityBuckets"/>). Stored and sent upper-case: LOW, MEDIUM, HIGH, CRITICAL.</summary>
public enum Severity
{
    /// <summary>Below the medium cut point.</summary>
    Low = 0,

    /// <summary>From the medium cut point up to the high one.</summary>
    Medium = 1,

    /// <summary>From the high cut point up to the critical one.</summary>
    High = 2,

    /// <summary>At or above the critical cut point.</summary>
    Critical = 3,
}
