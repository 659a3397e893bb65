namespace Pipeline.Models.Anomaly.Rules;

/// <summary>Validation shared by the rule options: weights are probabilities of "this matters".</summary>
internal static class RuleWeight
{
    public static void Validate(double weight, string rule)
    {
        if (!(weight >= 0.0 && weight <= 1.0))
        {
            throw new ArgumentOutOfRangeException("Weight", weight, $"{rule} weight must be in [0, 1]");
        }
    }
}
