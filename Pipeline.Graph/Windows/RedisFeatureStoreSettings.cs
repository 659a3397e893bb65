using System.Text.RegularExpressions;

namespace Pipeline.Graph.Windows;

/// <summary>The Redis feature store's connection and keys (<c>pipeline.windows.redis</c>). <see cref="ToString"/> masks the password.</summary>
public sealed partial record RedisFeatureStoreSettings
{
    /// <summary>
    /// <c>connection-string</c>: a StackExchange.Redis configuration string (<c>host:port,password=…</c>)
    /// or a <c>redis://[user:password@]host[:port][/db]</c> / <c>rediss://</c> URL. The host maps the
    /// <c>REDIS_URL</c> environment variable onto this key.
    /// </summary>
    public required string ConnectionString { get; init; }

    /// <summary><c>key-prefix</c>: keys are <c>{prefix}{accountId}</c>; the default <c>pipeline:features:</c>.</summary>
    public required string KeyPrefix { get; init; }

    /// <summary><c>ttl</c>: how long an account's checkpoint outlives its last write.</summary>
    public required TimeSpan Ttl { get; init; }

    /// <summary><c>operation-timeout</c>: StackExchange.Redis's async timeout and connect timeout.</summary>
    public required TimeSpan OperationTimeout { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"RedisFeatureStoreSettings {{ ConnectionString = {Mask(ConnectionString)}, KeyPrefix = {KeyPrefix}, Ttl = {Ttl}, OperationTimeout = {OperationTimeout} }}";

    internal static string Mask(string connection) =>
        PasswordOption().Replace(UrlCredentials().Replace(connection, "$1***@"), "$1***");

    [GeneratedRegex(@"(password\s*=\s*)[^,]*", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordOption();

    [GeneratedRegex(@"(rediss?://)[^@/]*@", RegexOptions.IgnoreCase)]
    private static partial Regex UrlCredentials();
}
