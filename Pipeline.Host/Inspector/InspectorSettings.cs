using System.Net;
using Akka.Configuration;
using Pipeline.Graph.Configuration;

namespace Pipeline.Host.Inspector;

/// <summary>
/// <c>pipeline.inspector</c>: whether the <c>pbm</c> inspector runs, where it binds, its shared
/// token and how many log entries it keeps. <see cref="ToString"/> masks the token.
/// </summary>
public sealed record InspectorSettings
{
    /// <summary>The environment variable that supplies the token when <c>pipeline.inspector.token</c> is empty.</summary>
    public const string TokenVariable = "PIPELINE_INSPECTOR_TOKEN";

    /// <summary><c>pipeline.inspector.enabled</c>.</summary>
    public required bool Enabled { get; init; }

    /// <summary><c>pipeline.inspector.host</c>: the address bound.</summary>
    public required IPAddress Host { get; init; }

    /// <summary><c>pipeline.inspector.port</c> (0 = any free port).</summary>
    public required int Port { get; init; }

    /// <summary>The shared token; empty when none is required.</summary>
    public required string Token { get; init; }

    /// <summary><c>pipeline.inspector.log-buffer</c>: log entries kept for <c>log peek</c>.</summary>
    public required int LogBuffer { get; init; }

    /// <summary>Reads <c>pipeline.inspector</c>; the token falls back to <see cref="TokenVariable"/> in <paramref name="environment"/>.</summary>
    /// <exception cref="ConfigurationException">A key is missing or out of range; the message names it.</exception>
    public static InspectorSettings Create(Config config, IReadOnlyDictionary<string, string> environment)
    {
        var block = ConfigReader.Block(config, "pipeline.inspector");
        var host = ConfigReader.String(block, "host", allowEmpty: false);
        if (!IPAddress.TryParse(host, out var address))
        {
            throw new ConfigurationException($"pipeline.inspector.host must be an IP address such as 127.0.0.1, got '{host}'");
        }

        var token = ConfigReader.String(block, "token");
        if (token.Length == 0) token = environment.GetValueOrDefault(TokenVariable) ?? string.Empty;
        return new InspectorSettings
        {
            Enabled = ConfigReader.Bool(block, "enabled"),
            Host = address,
            Port = ConfigReader.Int(block, "port", 0, 65535),
            Token = token,
            LogBuffer = ConfigReader.Int(block, "log-buffer", 10, 100_000),
        };
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"InspectorSettings {{ Enabled = {Enabled}, Host = {Host}, Port = {Port}, Token = {(Token.Length == 0 ? "none" : "***")}, LogBuffer = {LogBuffer} }}";
}
