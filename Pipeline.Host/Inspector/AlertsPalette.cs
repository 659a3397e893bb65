using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace Pipeline.Host.Inspector;

/// <summary><c>alerts tail [-c n]</c> over <see cref="IAlertFeed"/>; without one it answers that alerting is not available in this host.</summary>
public sealed class AlertsPalette(IAlertFeed? feed) : IInspectorPalette
{
    /// <inheritdoc />
    public string Name => "alerts";

    /// <inheritdoc />
    public string Description => "alerts raised for anomalous transactions";

    /// <inheritdoc />
    public IReadOnlyList<InspectorCommand> Commands { get; } =
    [
        new("tail", "recent alerts with severity, score, reasons and delivery, newest first", [new("-c", "count", "how many alerts (1-1000)", true, "20")]),
    ];

    /// <inheritdoc />
    public async IAsyncEnumerable<InspectorReply> ExecuteAsync(InspectorInvocation invocation, [EnumeratorCancellation] CancellationToken ct)
    {
        if (feed is null)
        {
            yield return InspectorReply.Error("alerting is not available in this host");
            yield break;
        }

        var count = invocation.Int("-c", 1, 1000);
        IReadOnlyList<AlertInfo> alerts = [];
        string? failure = null;
        try
        {
            alerts = await feed.RecentAlertsAsync(count, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The alert store is a database: when it is down the operator hears why, not a dropped connection.
            failure = $"could not read the alerts: {ex.Message}";
        }

        if (failure is not null)
        {
            yield return InspectorReply.Error(failure);
            yield break;
        }

        yield return new InspectorReply(
            alerts.Count == 0 ? "no alerts yet" : string.Join('\n', alerts.Select(Line)),
            new JsonObject { ["alerts"] = new JsonArray(alerts.Select(a => (JsonNode)ToJson(a)).ToArray()) });
    }

    /// <summary>An alert as JSON.</summary>
    public static JsonObject ToJson(AlertInfo a) => new()
    {
        ["at"] = a.At.ToString("O"),
        ["transactionId"] = a.TransactionId,
        ["severity"] = a.Severity,
        ["score"] = a.Score,
        ["reasons"] = new JsonArray(a.Reasons.Select(r => (JsonNode)JsonValue.Create(r)).ToArray()),
        ["delivery"] = a.Delivery,
    };

    private static string Line(AlertInfo a) =>
        string.Create(CultureInfo.InvariantCulture, $"{a.At:yyyy-MM-ddTHH:mm:ssZ} {a.Severity,-8} {a.Score:0.000} {a.TransactionId} [{string.Join(", ", a.Reasons)}] {a.Delivery}");
}
