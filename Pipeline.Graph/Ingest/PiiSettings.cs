using System.Security.Cryptography;
using System.Text;
using Akka.Configuration;
using Pipeline.Graph.Configuration;
using Pipeline.Models.Privacy;

namespace Pipeline.Graph.Ingest;

/// <summary>
/// The key of the PII tokens, read from <c>pipeline.pii</c>: <c>key</c> (secret; the host sets it from the
/// environment variable <see cref="KeyEnvironmentVariable"/>) and <c>key-id</c> (a non-secret name of the key,
/// shown in logs). The key is the UTF-8 bytes of the text and needs at least
/// <see cref="PiiProtector.MinKeyBytes"/> of them; <c>openssl rand -base64 48</c> makes a good one.
/// </summary>
/// <remarks>
/// Tokens are stable only as long as the key is: changing it makes every card and e-mail look new to the
/// features that compare tokens. Outside the embedded mode a missing or short key stops the host with a
/// <see cref="ConfigurationException"/>. In the embedded mode a missing key is replaced by a random key for
/// this run (<see cref="IsEphemeral"/>, warned about by <see cref="ProtectPiiFlow"/>), so tokens differ from one
/// run to the next. The key is never printed: <see cref="ToString"/> masks it.
/// </remarks>
public sealed class PiiSettings
{
    /// <summary>The environment variable that sets <c>pipeline.pii.key</c>.</summary>
    public const string KeyEnvironmentVariable = "PIPELINE_PII_KEY";

    /// <summary>The key id used with a random per-run key.</summary>
    public const string EphemeralKeyId = "ephemeral";

    // 16M slots: 128 MB of references alone; more would be memory spent on a cache that no longer fits in any CPU cache.
    private const int MaxTokenCache = 1 << 24;

    private readonly byte[] _key;

    private PiiSettings(byte[] key, string keyId, bool ephemeral, int tokenCache)
    {
        _key = key;
        KeyId = keyId;
        IsEphemeral = ephemeral;
        TokenCache = tokenCache;
    }

    /// <summary>The non-secret name of the key (<c>key-id</c>, or <see cref="EphemeralKeyId"/>).</summary>
    public string KeyId { get; }

    /// <summary>True when no key was configured and this run uses a random one (embedded mode only).</summary>
    public bool IsEphemeral { get; }

    /// <summary>Slots of the protector's token cache (<c>token-cache</c>); 0 computes every token.</summary>
    public int TokenCache { get; }

    /// <summary>Reads the <c>pipeline.pii</c> block.</summary>
    /// <param name="pii">The block.</param>
    /// <param name="embedded">True in the embedded mode (<c>pipeline.mode = embedded</c>), where a missing key is replaced by a random one.</param>
    /// <exception cref="ConfigurationException">A key is missing, or the PII key is empty outside the embedded mode, or too short.</exception>
    public static PiiSettings Create(Config pii, bool embedded)
    {
        var text = ConfigReader.String(pii, "key");
        var keyId = ConfigReader.String(pii, "key-id", allowEmpty: false);
        var tokenCache = ConfigReader.Int(pii, "token-cache", 0, MaxTokenCache);
        if (text.Length == 0)
        {
            if (!embedded)
            {
                throw new ConfigurationException(
                    $"setting 'pipeline.pii.key' is empty: set the environment variable {KeyEnvironmentVariable} to a secret of at least {PiiProtector.MinKeyBytes} bytes " +
                    "(e.g. the output of 'openssl rand -base64 48'); card numbers and e-mails are tokenised with it, and only the embedded mode may run without one");
            }

            return new PiiSettings(RandomNumberGenerator.GetBytes(PiiProtector.MinKeyBytes), EphemeralKeyId, ephemeral: true, tokenCache);
        }

        var key = Encoding.UTF8.GetBytes(text);
        if (key.Length < PiiProtector.MinKeyBytes)
        {
            // Never echo the value: it is a secret even when it is a bad one.
            throw new ConfigurationException(
                $"setting 'pipeline.pii.key' ({KeyEnvironmentVariable}) is {key.Length} bytes long; it needs at least {PiiProtector.MinKeyBytes} (e.g. the output of 'openssl rand -base64 48')");
        }

        return new PiiSettings(key, keyId, ephemeral: false, tokenCache);
    }

    /// <summary>The protector using this key.</summary>
    public PiiProtector CreateProtector() => new(_key, KeyId, TokenCache);

    /// <summary>Names the key id; the key is masked.</summary>
    public override string ToString() => $"PiiSettings(key-id = {KeyId}, key = ***{(IsEphemeral ? ", ephemeral" : string.Empty)})";
}
