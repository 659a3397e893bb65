namespace Pipeline.Models.Lifecycle;

/// <summary>
/// How a shadow evaluation decides between the active model and a candidate. Labels decide only
/// with enough of them and enough fraud among them (precision, recall and PR AUC on a handful of
/// positives are noise); otherwise the unlabelled rule (alert rate and score stability) applies.
/// </summary>
public sealed record ShadowPolicy
{
    /// <summary>Labelled shadow events needed before labels decide (otherwise the unlabelled rule applies).</summary>
    public required int MinLabels { get; init; }

    /// <summary>Fraud labels among them needed before labels decide (otherwise the unlabelled rule applies).</summary>
    public required int MinPositives { get; init; }

    /// <summary>
    /// With labels: the candidate must not lose recall at the operating threshold and must beat the
    /// active model's precision at that threshold or its PR AUC by at least this (may be negative to
    /// tolerate a small loss).
    /// </summary>
    public required double MinGain { get; init; }

    /// <summary>Without labels: the candidate's alert rate may be at most this multiple of the active model's.</summary>
    public required double MaxAlertRateRatio { get; init; }

    /// <summary>Without labels: most population stability index between the first and second half of the candidate's scores.</summary>
    public required double MaxScorePsi { get; init; }
}
