namespace Pipeline.Models.Lifecycle;

/// <summary>How a shadow evaluation decides between the active model and a candidate.</summary>
public sealed record ShadowPolicy
{
    /// <summary>Labelled shadow events needed before labels decide (otherwise the unlabelled rule applies).</summary>
    public required int MinLabels { get; init; }

    /// <summary>Fraud labels among them needed before labels decide (PR AUC needs positives).</summary>
    public required int MinPositives { get; init; }

    /// <summary>With labels: promote when candidate PR AUC ≥ active PR AUC + this (may be negative to tolerate a small loss).</summary>
    public required double MinPrAucGain { get; init; }

    /// <summary>Without labels: the candidate's alert rate may be at most this multiple of the active model's.</summary>
    public required double MaxAlertRateRatio { get; init; }

    /// <summary>Without labels: most population stability index between the first and second half of the candidate's scores.</summary>
    public required double MaxScorePsi { get; init; }
}
