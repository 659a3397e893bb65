using Pipeline.Models.Anomaly;

namespace Pipeline.Models.Alerting;

/// <summary>Parses the upper-case severity names that scored rows, alerts and settings use.</summary>
public static class SeverityNames
{
    /// <summary>LOW, MEDIUM, HIGH or CRITICAL (case-insensitive) as a <see cref="Severity"/>.</summary>
    /// <exception cref="ArgumentException">Any other text; the message names it.</exception>
    public static Severity Parse(string name) =>
        TryParse(name, out var severity)
            ? severity
            : throw new ArgumentException($"severity '{name}' must be one of LOW, MEDIUM, HIGH, CRITICAL", nameof(name));

    /// <summary>Like <see cref="Parse"/>, without throwing.</summary>
    public static bool TryParse(string? name, out Severity severity)
    {
        switch (name?.ToUpperInvariant())
        {
            case "LOW": severity = Severity.Low; return true;
            case "MEDIUM": severity = Severity.Medium; return true;
            case "HIGH": severity = Severity.High; return true;
            case "CRITICAL": severity = Severity.Critical; return true;
            default: severity = default; return false;
        }
    }
}
