namespace Pipeline.Models.Lifecycle;

/// <summary>
/// The outcome of scoring live traffic with a candidate alongside the active model, at the
/// active model's operating threshold. Label-based numbers are null when too few labels (or too few fraud labels) arrived for them to decide.
/// </summary>
/// <param name="Events">Transactions scored by both models.</param>
/// <param name="Labelled">Of those, how many had a label by the end of the evaluation.</param>
/// <param name="Positives">Labelled transactions confirmed as fraud.</param>
/// <param name="Basis">"labels" when labels decided, "unlabelled" otherwise.</param>
/// <param name="ActiveAlertRate">Share of events the active model flagged.</param>
/// <param name="CandidateAlertRate">Share of events the candidate flagged at the same threshold.</param>
/// <param name="ActiveMeanScore">Mean score of the active model.</param>
/// <param name="CandidateMeanScore">Mean score of the candidate.</param>
/// <param name="CandidateScorePsi">Population stability index of the candidate's scores, first half against second half.</param>
/// <param name="ActivePrecision">Active precision at the threshold on labelled events (0 when it flagged none), or null.</param>
/// <param name="ActiveRecall">Active recall at the threshold on labelled events, or null.</param>
/// <param name="ActivePrAuc">Active PR AUC on labelled events, or null.</param>
/// <param name="CandidatePrecision">Candidate precision at the threshold on labelled events (0 when it flagged none), or null.</param>
/// <param name="CandidateRecall">Candidate recall at the threshold on labelled events, or null.</param>
/// <param name="CandidatePrAuc">Candidate PR AUC on labelled events, or null.</param>
/// <param name="Promote">The decision.</param>
/// <param name="Reason">Why, in words with the numbers that decided.</param>
public sealed record ShadowEvaluation(
    int Events,
    int Labelled,
    int Positives,
    string Basis,
    double ActiveAlertRate,
    double CandidateAlertRate,
    double ActiveMeanScore,
    double CandidateMeanScore,
    double CandidateScorePsi,
    double? ActivePrecision,
    double? ActiveRecall,
    double? ActivePrAuc,
    double? CandidatePrecision,
    double? CandidateRecall,
    double? CandidatePrAuc,
    bool Promote,
    string Reason);
