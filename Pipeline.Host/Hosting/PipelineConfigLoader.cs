using Akka.Configuration;
using Akka.Hosting;

namespace Pipeline.Host.Hosting;

/// <summary>
/// Loads the HOCON configuration with one documented precedence:
/// command line (<c>--set key=value;key2=value2</c>) &gt; environment &gt; overlay
/// (<c>--config name|path</c> or <c>PIPELINE_CONFIG</c>) &gt; <c>hocon/reference.conf</c>.
/// Files are found next to the executable, never relative to the current directory.
/// Every <c>pipeline.*</c> key an overlay, the environment or <c>--set</c> gives must exist in
/// <c>reference.conf</c>: a misspelt key would otherwise leave its setting at the default without a word.
/// </summary>
public static class PipelineConfigLoader
{
    /// <summary>Environment variables and the HOCON paths they set.</summary>
    public static readonly IReadOnlyList<(string Variable, string[] Paths, string Meaning)> EnvironmentMappings =
    [
        ("KAFKA_BOOTSTRAP_SERVERS", ["pipeline.kafka.consumer.kafka-clients.bootstrap.servers", "pipeline.kafka.producer.kafka-clients.bootstrap.servers"], "use this Kafka cluster (switches pipeline.mode to external)"),
        ("REDIS_URL", ["pipeline.windows.redis.connection-string"], "keep account window state in this Redis (switches pipeline.windows.store to redis)"),
        ("PIPELINE_PII_KEY", ["pipeline.pii.key"], "HMAC key for card and e-mail tokens (required outside the embedded mode; never logged)"),
        ("SLACK_WEBHOOK_URL", ["pipeline.alerting.slack.webhook-url"], "deliver alerts to this Slack incoming webhook (never logged)"),
        ("ALERT_WEBHOOK_URL", ["pipeline.alerting.webhook.url"], "deliver alerts to this generic webhook, signed with X-Signature-256"),
        ("ALERT_WEBHOOK_SECRET", ["pipeline.alerting.webhook.secret"], "HMAC-SHA256 secret of the generic webhook (never logged)"),
        ("PIPELINE_STORE", ["pipeline.store.kind"], "sqlite, postgres or none"),
        ("PIPELINE_SQLITE_PATH", ["pipeline.store.sqlite.path"], "SQLite database file"),
        ("TIMESCALE_URL", ["pipeline.store.postgres.connection-string"], "PostgreSQL/TimescaleDB connection string or postgres:// URL (use with PIPELINE_STORE=postgres)"),
        ("PIPELINE_HTTP_URL", ["pipeline.http.url"], "where /health and /metrics listen"),
        ("PIPELINE_PRODUCER_RATE", ["pipeline.embedded.producer.rate"], "records/s of the embedded synthetic producer"),
        ("PIPELINE_PRODUCER_COUNT", ["pipeline.embedded.producer.count"], "transactions the embedded synthetic producer sends"),
    ];

    /// <summary>The folder holding <c>reference.conf</c> and the overlays.</summary>
    public static string HoconDirectory => Path.Combine(AppContext.BaseDirectory, "hocon");

    /// <summary>Loads and merges the configuration.</summary>
    /// <param name="environment">Environment variables (injected so tests control them).</param>
    /// <param name="overlay">An overlay name (<c>docker</c> → hocon/docker.conf) or a file path; null for none.</param>
    /// <param name="sets">Command-line overrides: <c>key=value</c> pairs separated by semicolons.</param>
    /// <exception cref="ConfigurationException">A file is missing or does not parse, or a <c>pipeline.*</c> key is unknown; the message names it.</exception>
    public static Config Load(IReadOnlyDictionary<string, string> environment, string? overlay, string? sets)
    {
        var reference = ParseFile(Path.Combine(HoconDirectory, "reference.conf"));
        var config = reference;

        overlay ??= environment.GetValueOrDefault("PIPELINE_CONFIG");
        if (!string.IsNullOrWhiteSpace(overlay))
        {
            var path = overlay.EndsWith(".conf", StringComparison.Ordinal) ? Path.GetFullPath(overlay) : Path.Combine(HoconDirectory, overlay + ".conf");
            var layer = ParseFile(path);
            RejectUnknownKeys(layer, reference, path);
            config = layer.WithFallback(config);
        }

        var env = new List<string>();
        foreach (var (variable, paths, _) in EnvironmentMappings)
        {
            if (!environment.TryGetValue(variable, out var value) || string.IsNullOrWhiteSpace(value)) continue;
            env.AddRange(paths.Select(p => $"{p} = {value.ToHocon()}"));
            if (variable == "KAFKA_BOOTSTRAP_SERVERS") env.Add("pipeline.mode = external");
            if (variable == "REDIS_URL")
            {
                env.Add("pipeline.windows.store = redis");
                env.Add("pipeline.dedupe.store = redis");
            }
        }

        if (env.Count > 0)
        {
            var layer = ConfigurationFactory.ParseString(string.Join('\n', env));
            RejectUnknownKeys(layer, reference, "the environment");
            config = layer.WithFallback(config);
        }

        if (!string.IsNullOrWhiteSpace(sets))
        {
            var lines = sets.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(pair =>
                {
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0) throw new ConfigurationException($"--set expects key=value pairs separated by ';', got '{pair}'");
                    return $"{pair[..eq].Trim()} = {pair[(eq + 1)..].Trim()}";
                });
            var layer = Parse(string.Join('\n', lines), "--set");
            RejectUnknownKeys(layer, reference, "--set");
            config = layer.WithFallback(config);
        }

        return config;
    }

    // Blocks whose keys are open: librdkafka's own (checked against librdkafka when the clients are
    // built) and the per-feature limits of the fixed scaler (checked against the feature names).
    private static readonly string[] OpenBlocks = [".kafka-clients", "pipeline.scoring.scaler.fixed-limits"];

    private static void RejectUnknownKeys(Config layer, Config reference, string origin)
    {
        if (!layer.HasPath("pipeline")) return;
        foreach (var path in LeafPaths(layer.GetValue("pipeline"), "pipeline"))
        {
            if (!reference.HasPath(path))
            {
                throw new ConfigurationException($"{origin}: unknown setting '{path}' (hocon/reference.conf lists every setting; check the spelling)");
            }
        }
    }

    private static IEnumerable<string> LeafPaths(Akka.Configuration.Hocon.HoconValue value, string path)
    {
        if (OpenBlocks.Any(open => path.EndsWith(open, StringComparison.Ordinal)) || !value.IsObject())
        {
            yield return path;
            yield break;
        }

        foreach (var (key, child) in value.GetObject().Items)
        {
            foreach (var leaf in LeafPaths(child, $"{path}.{key}")) yield return leaf;
        }
    }

    private static Config ParseFile(string path)
    {
        if (!File.Exists(path)) throw new ConfigurationException($"configuration file not found: {path}");
        return Parse(File.ReadAllText(path), path);
    }

    private static Config Parse(string text, string origin)
    {
        try
        {
            return ConfigurationFactory.ParseString(text);
        }
        catch (Exception ex) when (ex is not ConfigurationException)
        {
            throw new ConfigurationException($"{origin}: {ex.Message}");
        }
    }
}
