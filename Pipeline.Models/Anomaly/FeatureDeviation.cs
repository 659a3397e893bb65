namespace Pipeline.Models.Anomaly;

/// <summary>How far one feature of an explained transaction sat from its reference.</summary>
/// <param name="Name">Feature name, as configured by the window stage (for example <c>amount_zscore</c>).</param>
/// <param name="Value">The transaction's scaled value in [0, 1].</param>
/// <param name="Reference">The reference (baseline) scaled value in [0, 1].</param>
/// <param name="Deviation"><c>|Value − Reference|</c>, in [0, 1].</param>
public sealed record FeatureDeviation(string Name, double Value, double Reference, double Deviation);
