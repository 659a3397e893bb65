using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Models.Alerting;

/// <summary>
/// Deterministic alert ids: a name-based UUID (RFC 9562 version 5, SHA-1) of the rule set and the
/// transaction id. Replaying a transaction gives the same id, so the <c>alerts</c> table, the outbox,
/// the <c>anomaly-alerts</c> topic and webhook receivers can all dedupe on it.
/// </summary>
public static class AlertIds
{
    /// <summary>
    /// The rule set alerts are raised by. Part of the id so that a future, different kind of alert
    /// on the same transaction gets its own id; changing it makes every replayed alert new.
    /// </summary>
    public const string AnomalyRuleSet = "anomaly-alert/v1";

    // A fixed namespace UUID for this product's alert ids (random once, never to change).
    private static readonly Guid Namespace = new("6f1c2b9e-3d47-4a8e-9b52-0c7de4f1a3b6");

    /// <summary>The alert id of <paramref name="transactionId"/> under <paramref name="ruleSet"/>.</summary>
    public static Guid For(string transactionId, string ruleSet = AnomalyRuleSet)
    {
        ArgumentException.ThrowIfNullOrEmpty(transactionId);
        ArgumentException.ThrowIfNullOrEmpty(ruleSet);
        var name = Encoding.UTF8.GetBytes(ruleSet + "\n" + transactionId);
        var ns = Namespace.ToByteArray(bigEndian: true);
        var buffer = new byte[ns.Length + name.Length];
        ns.CopyTo(buffer, 0);
        name.CopyTo(buffer, ns.Length);
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(buffer, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(hash[..16], bigEndian: true);
    }
}
