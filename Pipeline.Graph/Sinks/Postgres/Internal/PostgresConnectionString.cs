using System.Globalization;
using Akka.Configuration;
using Npgsql;

namespace Pipeline.Graph.Sinks.Postgres.Internal;

/// <summary>
/// Turns the configured connection string (Npgsql <c>Key=Value;…</c> form, or a
/// <c>postgres://user:password@host:port/database?sslmode=…</c> URL as hosting platforms hand out
/// in <c>TIMESCALE_URL</c>) into an Npgsql builder. Error messages never repeat the input: it may
/// hold a password.
/// </summary>
internal static class PostgresConnectionString
{
    private const string Mask = "***";

    public static NpgsqlConnectionStringBuilder Parse(string raw, string key)
    {
        if (raw.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || raw.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return FromUrl(raw, key);
        }

        try
        {
            return new NpgsqlConnectionStringBuilder(raw);
        }
        catch (ArgumentException ex)
        {
            // The exception's message names the offending keyword, never the value.
            throw new ConfigurationException($"setting '{key}' is not a valid Npgsql connection string or postgres:// URL: {FirstLine(ex.Message)}");
        }
    }

    /// <summary>The connection string with its password replaced, for logs and <c>ToString</c>.</summary>
    public static string Masked(string raw, string key)
    {
        if (string.IsNullOrEmpty(raw)) return string.Empty;
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = Parse(raw, key);
        }
        catch (ConfigurationException)
        {
            // Unparseable means the password cannot be located: show nothing of it.
            return "(invalid connection string)";
        }

        if (!string.IsNullOrEmpty(builder.Password)) builder.Password = Mask;
        return builder.ConnectionString;
    }

    /// <summary><c>host:port/database</c>, for descriptions.</summary>
    public static string Endpoint(NpgsqlConnectionStringBuilder builder) =>
        string.Create(CultureInfo.InvariantCulture, $"{builder.Host}:{builder.Port}/{builder.Database}");

    private static NpgsqlConnectionStringBuilder FromUrl(string raw, string key)
    {
        if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new ConfigurationException($"setting '{key}' is not a valid postgres:// URL (expected postgres://user:password@host:port/database)");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host };
        if (uri.Port > 0) builder.Port = uri.Port;
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0) builder.Database = database;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0) builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..]);
            switch (name)
            {
                case "sslmode":
                    builder.SslMode = value switch
                    {
                        "disable" => SslMode.Disable,
                        "allow" => SslMode.Allow,
                        "prefer" => SslMode.Prefer,
                        "require" => SslMode.Require,
                        "verify-ca" => SslMode.VerifyCA,
                        "verify-full" => SslMode.VerifyFull,
                        _ => throw new ConfigurationException($"setting '{key}': sslmode '{value}' is not one of disable, allow, prefer, require, verify-ca, verify-full"),
                    };
                    break;
                case "application_name":
                    builder.ApplicationName = value;
                    break;
                case "connect_timeout" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0:
                    builder.Timeout = seconds;
                    break;
                default:
                    throw new ConfigurationException($"setting '{key}': URL parameter '{name}' is not supported (use sslmode, application_name, connect_timeout, or the Key=Value form)");
            }
        }

        return builder;
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
