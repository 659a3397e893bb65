using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Pipeline.Models.Domain;

namespace Pipeline.Models.Privacy;

/// <summary>
/// Replaces the PII of a <see cref="Transaction"/> (<see cref="Transaction.CardNumber"/>,
/// <see cref="Transaction.Email"/>) by keyed tokens: <c>tok_</c> followed by the unpadded base64url text of
/// the first 16 bytes of HMAC-SHA256(key, field name, 0, normalised value). The same value under the same key
/// always gives the same token, so features such as "new card" still work on tokens, while nobody without
/// the key can test a guessed card number against a token (a plain hash of a 16-digit number is reversed by
/// enumeration in minutes; a keyed one is not).
/// </summary>
/// <remarks>
/// <para>Normalisation before hashing: card numbers lose spaces and dashes (<c>4111 1111-1111 1111</c> and
/// <c>4111111111111111</c> give one token); e-mail addresses are trimmed and lower-cased (invariant culture).
/// The field name is part of the hashed input, so a value that appears as both card number and e-mail gives
/// two unrelated tokens.</para>
/// <para><see cref="Transaction.CardLast4"/> keeps the last four digits when the normalised card number is
/// 12 to 19 digits (the lengths of real card numbers); a shorter value would be given away almost whole by its
/// last four digits, and anything else is not a card number, so those keep no digits.</para>
/// <para>Thread-safe and allocation-light: one keyed <see cref="IncrementalHash"/> per thread, reset after
/// each token, input assembled on the stack (a pooled buffer for unusually long values). With a token cache
/// (<see cref="PiiProtector(ReadOnlySpan{byte}, string, int)"/>) a value seen recently costs a 128-bit
/// XxHash and one lookup instead of the HMAC, and allocates nothing; the cache holds tokens and hashes, never
/// a value in clear. The key is never printed: <see cref="ToString"/> shows only the key id.</para>
/// </remarks>
public sealed class PiiProtector
{
    /// <summary>The shortest key accepted, in bytes: the HMAC-SHA256 block of security (RFC 2104 §3 asks for at least the hash length).</summary>
    public const int MinKeyBytes = 32;

    /// <summary>Prefix of every token, so a token is never mistaken for a value in clear.</summary>
    public const string TokenPrefix = "tok_";

    private const int TokenBytes = 16;

    // "tok_" and the unpadded base64url text of 16 bytes (22 characters).
    private const int TokenChars = 4 + 22;

    // Largest hashed input (domain and value) assembled on the stack.
    private const int StackInputBytes = 256;

    // Longest card number or e-mail protected from its bytes: it fits on the stack after the longest domain (12 bytes).
    // Longer values take the text path.
    private const int MaxUtf8Field = StackInputBytes - 16;
    private const int MinCardDigitsForLast4 = 12;
    private const int MaxCardDigits = 19;
    private static readonly byte[] s_cardDomain = Encoding.UTF8.GetBytes("card_number\0");
    private static readonly byte[] s_emailDomain = Encoding.UTF8.GetBytes("email\0");

    private readonly byte[] _key;

    // One keyed HMAC per thread, reset after each use: the one-shot HashData sets the key up on every
    // call, which costs more than hashing a card number on the stream's hot path.
    private readonly ThreadLocal<IncrementalHash> _hmac;
    private readonly TokenCache? _cache;

    /// <summary>A protector with <paramref name="key"/> (at least <see cref="MinKeyBytes"/> bytes; copied) and no token cache.</summary>
    /// <param name="key">The HMAC key.</param>
    /// <param name="keyId">A non-secret name of the key (shown in logs, used to tell key generations apart).</param>
    /// <exception cref="ArgumentException">The key is shorter than <see cref="MinKeyBytes"/> or the key id is empty.</exception>
    public PiiProtector(ReadOnlySpan<byte> key, string keyId)
        : this(key, keyId, tokenCacheSize: 0)
    {
    }

    /// <summary>A protector with <paramref name="key"/> (at least <see cref="MinKeyBytes"/> bytes; copied) that remembers the tokens of up to <paramref name="tokenCacheSize"/> recent values.</summary>
    /// <param name="key">The HMAC key.</param>
    /// <param name="keyId">A non-secret name of the key (shown in logs, used to tell key generations apart).</param>
    /// <param name="tokenCacheSize">Slots of the token cache (rounded up to a power of two); 0 computes every token.</param>
    /// <exception cref="ArgumentException">The key is shorter than <see cref="MinKeyBytes"/> or the key id is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tokenCacheSize"/> is negative.</exception>
    public PiiProtector(ReadOnlySpan<byte> key, string keyId, int tokenCacheSize)
    {
        if (key.Length < MinKeyBytes) throw new ArgumentException($"a PII key needs at least {MinKeyBytes} bytes, got {key.Length}", nameof(key));
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        ArgumentOutOfRangeException.ThrowIfNegative(tokenCacheSize);
        _key = key.ToArray();
        KeyId = keyId;
        _hmac = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key));
        _cache = tokenCacheSize > 0 ? new TokenCache(tokenCacheSize) : null;
    }

    /// <summary>The non-secret name of the key.</summary>
    public string KeyId { get; }

    /// <summary>
    /// A copy of <paramref name="transaction"/> whose card number and e-mail are tokens and whose
    /// <see cref="Transaction.CardLast4"/> is set; absent fields stay absent.
    /// </summary>
    public Transaction Protect(Transaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (transaction.CardNumber is null && transaction.Email is null) return transaction;
        var (card, last4, email) = ProtectFields(transaction.CardNumber, transaction.Email);
        return transaction with { CardNumber = card, CardLast4 = last4, Email = email };
    }

    /// <summary>The card token, last four digits and e-mail token of the values in clear (absent stays absent).</summary>
    internal (string? CardToken, string? CardLast4, string? EmailToken) ProtectFields(string? cardNumber, string? email)
    {
        var card = cardNumber is null ? null : NormalizeCardNumber(cardNumber);
        return (
            card is null ? null : Tokenize(s_cardDomain, card),
            card is null ? null : Last4OfNormalized(card),
            email is null ? null : TokenizeEmail(email));
    }

    /// <summary>The token of a card number (spaces and dashes ignored).</summary>
    public string TokenizeCardNumber(string cardNumber)
    {
        ArgumentNullException.ThrowIfNull(cardNumber);
        return Tokenize(s_cardDomain, NormalizeCardNumber(cardNumber));
    }

    /// <summary>The token of an e-mail address (trimmed, lower-cased).</summary>
    public string TokenizeEmail(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        return Tokenize(s_emailDomain, email.Trim().ToLowerInvariant());
    }

    /// <summary>The last four digits of a card number of 12–19 digits (spaces and dashes ignored), else null.</summary>
    public static string? CardLast4(string cardNumber)
    {
        ArgumentNullException.ThrowIfNull(cardNumber);
        return Last4OfNormalized(NormalizeCardNumber(cardNumber));
    }

    private static string? Last4OfNormalized(string normalized)
    {
        if (normalized.Length is < MinCardDigitsForLast4 or > MaxCardDigits) return null;
        foreach (var ch in normalized)
        {
            if (ch is < '0' or > '9') return null;
        }

        return normalized[^4..];
    }

    /// <summary>Names the key id only; the key itself is never printed.</summary>
    public override string ToString() => $"PiiProtector(key-id = {KeyId}, key = ***)";

    private static string NormalizeCardNumber(string cardNumber)
    {
        var trimmed = cardNumber.AsSpan().Trim();
        if (trimmed.IndexOfAny(' ', '-') < 0) return trimmed.Length == cardNumber.Length ? cardNumber : trimmed.ToString();
        var builder = new StringBuilder(trimmed.Length);
        foreach (var ch in trimmed)
        {
            if (ch is not (' ' or '-')) builder.Append(ch);
        }

        return builder.ToString();
    }

    /// <summary>
    /// <see cref="ProtectFields"/> of a card number given as the UTF-8 of a JSON string without escapes, straight from
    /// the bytes: no string in clear is made. Only ASCII is taken (where normalising bytes and normalising text agree);
    /// otherwise false, and the caller protects the decoded text instead.
    /// </summary>
    internal bool TryProtectCardUtf8(ReadOnlySpan<byte> raw, out string token, out string? last4)
    {
        (token, last4) = (string.Empty, null);
        if (raw.Length > MaxUtf8Field || !Ascii.IsValid(raw)) return false;
        // The hashed input is the domain and the normalised number, assembled in one buffer. Trimming and then
        // dropping spaces and dashes is dropping them all: the only whitespace an unescaped JSON string can hold
        // in ASCII is the space.
        Span<byte> input = stackalloc byte[StackInputBytes];
        s_cardDomain.CopyTo(input);
        var length = s_cardDomain.Length;
        var digits = true;
        foreach (var b in raw)
        {
            if (b is (byte)' ' or (byte)'-') continue;
            digits &= b is >= (byte)'0' and <= (byte)'9';
            input[length++] = b;
        }

        try
        {
            token = TokenOf(input[..length]);
            var number = length - s_cardDomain.Length;
            last4 = digits && number is >= MinCardDigitsForLast4 and <= MaxCardDigits ? Encoding.ASCII.GetString(input.Slice(length - 4, 4)) : null;
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input[..length]);
        }
    }

    /// <summary>
    /// The e-mail token of the UTF-8 of a JSON string without escapes, straight from the bytes (trimmed, lower-cased
    /// as <see cref="TokenizeEmail"/> does). Only ASCII is taken; otherwise false, and the caller tokenises the text.
    /// </summary>
    internal bool TryTokenizeEmailUtf8(ReadOnlySpan<byte> raw, out string token)
    {
        token = string.Empty;
        if (raw.Length > MaxUtf8Field || !Ascii.IsValid(raw)) return false;
        var trimmed = raw.Trim((byte)' ');
        Span<byte> input = stackalloc byte[StackInputBytes];
        s_emailDomain.CopyTo(input);
        var length = s_emailDomain.Length + trimmed.Length;
        try
        {
            Ascii.ToLower(trimmed, input[s_emailDomain.Length..], out _);
            token = TokenOf(input[..length]);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input[..length]);
        }
    }

    private string Tokenize(byte[] domain, string value)
    {
        var length = domain.Length + Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        // Card numbers and e-mail addresses fit on the stack; only an unusually long value rents a buffer.
        var buffer = length <= StackInputBytes ? stackalloc byte[StackInputBytes] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            domain.CopyTo(buffer);
            var written = domain.Length + Encoding.UTF8.GetBytes(value, buffer[domain.Length..]);
            return TokenOf(buffer[..written]);
        }
        finally
        {
            // The buffer held a value in clear: wipe it, on the stack as in a buffer going back to the shared pool.
            CryptographicOperations.ZeroMemory(buffer[..length]);
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    // The token of a field's domain and value, from the cache when they were seen recently.
    private string TokenOf(ReadOnlySpan<byte> input)
    {
        var cacheKey = UInt128.Zero;
        if (_cache is not null)
        {
            cacheKey = _cache.KeyOf(input);
            if (_cache.Find(cacheKey) is { } cached) return cached;
        }

        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        var hmac = _hmac.Value!;
        hmac.AppendData(input);
        hmac.GetHashAndReset(mac);
        Span<char> token = stackalloc char[TokenChars];
        TokenPrefix.CopyTo(token);
        var encoded = Base64Url.EncodeToChars(mac[..TokenBytes], token[TokenPrefix.Length..]);
        var result = new string(token[..(TokenPrefix.Length + encoded)]);
        _cache?.Add(cacheKey, result);
        return result;
    }
}
