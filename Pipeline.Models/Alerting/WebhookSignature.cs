using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Models.Alerting;

/// <summary>
/// The signature of a webhook body, sent as <c>X-Signature-256: sha256=&lt;hex&gt;</c>: HMAC-SHA256 of
/// the exact body bytes keyed with the UTF-8 bytes of the shared secret, lower-case hex (the scheme
/// GitHub webhooks use, so existing receivers can verify it).
/// </summary>
public static class WebhookSignature
{
    /// <summary>The header that carries the signature.</summary>
    public const string HeaderName = "X-Signature-256";

    /// <summary>The header value for <paramref name="body"/>: <c>sha256=</c> and 64 hex digits.</summary>
    public static string Compute(string secret, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, mac);
        return "sha256=" + Convert.ToHexStringLower(mac);
    }

    /// <summary>True when <paramref name="header"/> is the signature of <paramref name="body"/> (constant-time comparison).</summary>
    public static bool Verify(string secret, ReadOnlySpan<byte> body, string? header)
    {
        if (header is null) return false;
        var expected = Encoding.ASCII.GetBytes(Compute(secret, body));
        var actual = Encoding.ASCII.GetBytes(header);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}
