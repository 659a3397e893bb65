namespace Pipeline.Graph.Alerting;

/// <summary>Keeps secrets (webhook URLs, signing keys) out of logs, errors and <c>ToString</c>.</summary>
public static class SecretMask
{
    /// <summary>What a set secret prints as.</summary>
    public const string Masked = "***";

    /// <summary><c>***</c> for a set secret, <c>""</c> for an empty one (so "not configured" stays visible).</summary>
    public static string Mask(string? secret) => string.IsNullOrEmpty(secret) ? "\"\"" : Masked;

    /// <summary><paramref name="text"/> with every occurrence of each non-empty secret replaced by <c>***</c>.</summary>
    public static string Redact(string text, params string?[] secrets)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in secrets)
        {
            if (!string.IsNullOrEmpty(secret)) text = text.Replace(secret, Masked, StringComparison.Ordinal);
        }

        return text;
    }
}
