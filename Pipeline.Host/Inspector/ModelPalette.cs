using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;

namespace Pipeline.Host.Inspector;

/// <summary>
/// <c>model show|history|retrain|promote|rollback</c> over <see cref="IModelCommands"/>. The three
/// commands that change what scores transactions run only with <c>--confirm</c>. Without a
/// registered registry every command answers that it is not available in this host.
/// </summary>
public sealed class ModelPalette(IModelCommands? models) : IInspectorPalette
{
    private static readonly InspectorArgument Confirm = new("--confirm", "confirm", "required: this changes the model that scores transactions", false);

    /// <inheritdoc />
    public string Name => "model";

    /// <inheritdoc />
    public string Description => "model versions: inspect, retrain, promote, roll back";

    /// <inheritdoc />
    public IReadOnlyList<InspectorCommand> Commands { get; } =
    [
        new("show", "the active model version and its metrics", []),
        new("history", "recent model versions, newest first", [new("-c", "count", "how many versions (1-1000)", true, "10")]),
        new("retrain", "start a retraining run now", [Confirm]),
        new("promote", "make a version the active model", [new("-v", "version", "the version to activate", true), Confirm]),
        new("rollback", "reactivate the previously active version", [Confirm]),
    ];

    /// <inheritdoc />
    public async IAsyncEnumerable<InspectorReply> ExecuteAsync(InspectorInvocation invocation, [EnumeratorCancellation] CancellationToken ct)
    {
        if (models is null)
        {
            yield return InspectorReply.Error("the model registry is not available in this host");
            yield break;
        }

        var name = invocation.Command.Name;
        if (name is "retrain" or "promote" or "rollback" && !invocation.Has("--confirm"))
        {
            yield return InspectorReply.Error($"'model {name}' changes the model that scores transactions; repeat it with --confirm");
            yield break;
        }

        yield return name switch
        {
            "show" => Show(await models.ActiveAsync(ct).ConfigureAwait(false)),
            "history" => History(await models.HistoryAsync(invocation.Int("-c", 1, 1000), ct).ConfigureAwait(false)),
            "retrain" => new InspectorReply(await models.RetrainAsync(ct).ConfigureAwait(false)),
            "promote" => await PromoteAsync(invocation.Value("-v"), ct).ConfigureAwait(false),
            _ => await RollbackAsync(ct).ConfigureAwait(false),
        };
    }

    /// <summary>A version as JSON.</summary>
    public static JsonObject ToJson(ModelVersionInfo m) => new()
    {
        ["version"] = m.Version,
        ["status"] = m.Status,
        ["createdAt"] = m.CreatedAt.ToString("O"),
        ["metrics"] = new JsonObject(m.Metrics.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
    };

    private async Task<InspectorReply> PromoteAsync(string? version, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(version)) return InspectorReply.Error("'model promote' needs -v <version> (see 'model history')");
        try
        {
            var promoted = await models!.PromoteAsync(version, ct).ConfigureAwait(false);
            return new InspectorReply($"promoted {promoted.Version}; it scores transactions from now on", ToJson(promoted));
        }
        catch (ArgumentException ex)
        {
            return InspectorReply.Error(ex.Message);
        }
    }

    private async Task<InspectorReply> RollbackAsync(CancellationToken ct)
    {
        try
        {
            var active = await models!.RollbackAsync(ct).ConfigureAwait(false);
            return new InspectorReply($"rolled back to {active.Version}", ToJson(active));
        }
        catch (InvalidOperationException ex)
        {
            return InspectorReply.Error(ex.Message);
        }
    }

    private static InspectorReply Show(ModelVersionInfo? active) =>
        active is null
            ? new InspectorReply("no model version is registered yet", new JsonObject { ["active"] = null })
            : new InspectorReply(Line(active), new JsonObject { ["active"] = ToJson(active) });

    private static InspectorReply History(IReadOnlyList<ModelVersionInfo> versions)
    {
        var text = versions.Count == 0 ? "no model versions yet" : string.Join('\n', versions.Select(Line));
        return new InspectorReply(text, new JsonObject { ["versions"] = new JsonArray(versions.Select(v => (JsonNode)ToJson(v)).ToArray()) });
    }

    private static string Line(ModelVersionInfo m)
    {
        var text = new StringBuilder($"{m.Version,-24} {m.Status,-10} {m.CreatedAt:yyyy-MM-ddTHH:mm:ssZ}");
        foreach (var (k, v) in m.Metrics.OrderBy(kv => kv.Key, StringComparer.Ordinal)) text.Append(CultureInfo.InvariantCulture, $" {k}={v:0.####}");
        return text.ToString();
    }
}
