namespace Pipeline.Graph.Retraining;

/// <summary>Where a model version stands in the registry.</summary>
public enum ModelStatus
{
    /// <summary>Trained, waiting for or under shadow evaluation.</summary>
    Candidate,

    /// <summary>Scoring live traffic now (exactly one version at a time).</summary>
    Active,

    /// <summary>Was active, replaced by a later promotion or rollback.</summary>
    Retired,

    /// <summary>Judged worse than the active model; never scored live.</summary>
    Rejected,
}
