using System.Globalization;
using StackExchange.Redis;

namespace Pipeline.Graph.Windows;

/// <summary>
/// Account window state in Redis: one hash per account at <c>{key-prefix}{accountId}</c> with the
/// fields <c>t</c>, <c>p</c>, <c>o</c> (topic, partition, offset of the last applied record) and
/// <c>s</c> (the snapshot), expiring <c>ttl</c> after its last write. Reads and writes of a batch
/// go out as one pipelined batch on one multiplexer. A write is a small Lua script that refuses to
/// replace a checkpoint further along on the same partition, so a host that lost a partition
/// cannot overwrite the progress of its new owner.
/// <para>
/// Built by <see cref="ConnectAsync"/> (owns its multiplexer; <c>abortConnect=false</c>, so it
/// starts even while Redis is down and reconnects in the background; commands fail fast while
/// disconnected instead of queueing) or over a caller's multiplexer (shared with other Redis users).
/// </para>
/// </summary>
public sealed class RedisFeatureStateStore : IFeatureStateStore, IAsyncDisposable
{
    private const string SaveScript = """
        local cur = redis.call('HMGET', KEYS[1], 't', 'p', 'o')
        if cur[1] == ARGV[1] and cur[2] == ARGV[2] and cur[3] and tonumber(cur[3]) > tonumber(ARGV[3]) then return 0 end
        redis.call('HSET', KEYS[1], 't', ARGV[1], 'p', ARGV[2], 'o', ARGV[3], 's', ARGV[4])
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        return 1
        """;

    private static readonly RedisValue StateField = "s";
    private readonly IConnectionMultiplexer _connection;
    private readonly bool _ownsConnection;
    private readonly string _keyPrefix;
    private readonly long _ttlMs;

    /// <summary>A store over <paramref name="connection"/>, which the caller keeps and disposes.</summary>
    public RedisFeatureStateStore(IConnectionMultiplexer connection, string keyPrefix, TimeSpan ttl)
        : this(connection, keyPrefix, ttl, ownsConnection: false)
    {
    }

    private RedisFeatureStateStore(IConnectionMultiplexer connection, string keyPrefix, TimeSpan ttl, bool ownsConnection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        _connection = connection;
        _keyPrefix = keyPrefix;
        _ttlMs = (long)ttl.TotalMilliseconds;
        _ownsConnection = ownsConnection;
        Description = $"redis feature store at {RedisFeatureStoreSettings.Mask(connection.Configuration)} (keys {keyPrefix}*)";
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>Connects (without waiting for Redis to be up) and returns a store owning the connection.</summary>
    public static async Task<RedisFeatureStateStore> ConnectAsync(RedisFeatureStoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = ToOptions(settings);
        var connection = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        return new RedisFeatureStateStore(connection, settings.KeyPrefix, settings.Ttl, ownsConnection: true);
    }

    /// <summary>
    /// StackExchange.Redis options for <paramref name="settings"/>: the connection string (or
    /// <c>redis://</c> URL), no abort on a failed first connect, fail-fast while disconnected, and
    /// the operation timeout as connect and async timeout.
    /// </summary>
    public static ConfigurationOptions ToOptions(RedisFeatureStoreSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = settings.ConnectionString.Contains("://", StringComparison.Ordinal)
            ? FromUrl(settings.ConnectionString)
            : ConfigurationOptions.Parse(settings.ConnectionString);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        var timeoutMs = (int)Math.Min(int.MaxValue, settings.OperationTimeout.TotalMilliseconds);
        options.AsyncTimeout = timeoutMs;
        options.SyncTimeout = timeoutMs;
        options.ConnectTimeout = timeoutMs;
        return options;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<byte[]?>> LoadAsync(IReadOnlyList<string> accountIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountIds);
        if (accountIds.Count == 0) return [];
        var batch = _connection.GetDatabase().CreateBatch();
        var reads = new Task<RedisValue>[accountIds.Count];
        for (var i = 0; i < reads.Length; i++) reads[i] = batch.HashGetAsync(Key(accountIds[i]), StateField);
        batch.Execute();
        var values = await Task.WhenAll(reads).WaitAsync(cancellationToken).ConfigureAwait(false);
        var result = new byte[]?[values.Length];
        for (var i = 0; i < values.Length; i++) result[i] = values[i].IsNull ? null : (byte[]?)values[i];
        return result;
    }

    /// <inheritdoc />
    public async Task<int> SaveAsync(IReadOnlyList<FeatureCheckpoint> checkpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        if (checkpoints.Count == 0) return 0;
        var batch = _connection.GetDatabase().CreateBatch();
        var writes = new Task<RedisResult>[checkpoints.Count];
        var ttl = _ttlMs.ToString(CultureInfo.InvariantCulture);
        for (var i = 0; i < writes.Length; i++)
        {
            var c = checkpoints[i];
            writes[i] = batch.ScriptEvaluateAsync(
                SaveScript,
                [Key(c.AccountId)],
                [c.Position.Topic, c.Position.Partition, c.Position.Offset, c.State, ttl]);
        }

        batch.Execute();
        var results = await Task.WhenAll(writes).WaitAsync(cancellationToken).ConfigureAwait(false);
        return results.Count(r => (long)r == 0);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_ownsConnection) await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private RedisKey Key(string accountId) => _keyPrefix + accountId;

    private static ConfigurationOptions FromUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "redis" && uri.Scheme != "rediss"))
        {
            throw new ArgumentException($"'{RedisFeatureStoreSettings.Mask(url)}' is not a redis:// or rediss:// URL", nameof(url));
        }

        var options = new ConfigurationOptions { Ssl = uri.Scheme == "rediss" };
        options.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            if (parts.Length == 2)
            {
                if (parts[0].Length > 0) options.User = Uri.UnescapeDataString(parts[0]);
                options.Password = Uri.UnescapeDataString(parts[1]);
            }
            else
            {
                options.Password = Uri.UnescapeDataString(parts[0]);
            }
        }

        var db = uri.AbsolutePath.Trim('/');
        if (db.Length > 0 && int.TryParse(db, NumberStyles.Integer, CultureInfo.InvariantCulture, out var database)) options.DefaultDatabase = database;
        return options;
    }
}
