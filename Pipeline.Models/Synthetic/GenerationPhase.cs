namespace Pipeline.Models.Synthetic;

/// <summary>The part of the synthetic scenario a transaction belongs to, in the order they are generated.</summary>
public enum GenerationPhase
{
    /// <summary>Every account follows its own habits; no anomalies.</summary>
    Normal,

    /// <summary>The population shifts gradually (larger amounts, new merchants, more online spending); not fraud.</summary>
    Drift,

    /// <summary>Drifted habits continue, and a fraction of transactions are labelled fraud, scattered and in bursts.</summary>
    Attack,
}
