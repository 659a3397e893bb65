using System.Globalization;
using Akka.Actor;
using Pipeline.Graph.Retraining;
using Pipeline.Host.Inspector;
using Registry = Pipeline.Graph.Retraining.ModelRegistryProtocol;

namespace Pipeline.Host.Hosting;

/// <summary>
/// The inspector's <c>model</c> palette answered by the model registry actor: every command is an
/// Ask to the registry, the only writer of models.
/// </summary>
public sealed class RegistryModelCommands(PipelineRuntime runtime) : IModelCommands
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    public async Task<Inspector.ModelVersionInfo?> ActiveAsync(CancellationToken ct)
    {
        var reply = await Registry().Ask<object>(ModelRegistryProtocol.GetActive.Instance, Timeout, ct).ConfigureAwait(false);
        return reply is Registry.ActiveModel active ? Convert(active.Info) : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Inspector.ModelVersionInfo>> HistoryAsync(int count, CancellationToken ct)
    {
        var history = await History(ct).ConfigureAwait(false);
        return history.Versions.Reverse().Take(count).Select(Convert).ToList();
    }

    /// <inheritdoc />
    public async Task<string> RetrainAsync(CancellationToken ct)
    {
        var reply = await Registry().Ask<object>(new Registry.RequestRetrain("operator command"), Timeout, ct).ConfigureAwait(false);
        return reply switch
        {
            Registry.RetrainAccepted accepted => $"retrain accepted: a candidate will be trained from version {accepted.BaseVersion}, shadow-evaluated and promoted if it wins",
            Registry.Refused refused => throw new InvalidOperationException(refused.Reason),
            _ => throw new InvalidOperationException($"unexpected reply {reply.GetType().Name}"),
        };
    }

    /// <inheritdoc />
    public async Task<Inspector.ModelVersionInfo> PromoteAsync(string version, CancellationToken ct)
    {
        if (!long.TryParse(version, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
        {
            throw new ArgumentException($"'{version}' is not a model version (a positive integer)");
        }

        return ActiveOrThrow(await Registry().Ask<object>(new Registry.Promote(v), Timeout, ct).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async Task<Inspector.ModelVersionInfo> RollbackAsync(CancellationToken ct)
    {
        // Back to the newest version before the active one that has served traffic.
        var history = await History(ct).ConfigureAwait(false);
        var active = history.Versions.FirstOrDefault(h => h.Status == ModelStatus.Active)
            ?? throw new InvalidOperationException("no active model to roll back from");
        var previous = history.Versions.Where(h => h.Version < active.Version && h.PromotedAt is not null).MaxBy(h => h.Version)
            ?? throw new InvalidOperationException($"version {active.Version} has no earlier promoted version to roll back to");
        return ActiveOrThrow(await Registry().Ask<object>(new Registry.Rollback(previous.Version), Timeout, ct).ConfigureAwait(false));
    }

    private IActorRef Registry() => runtime.Registry ?? throw new InvalidOperationException("the model registry is not running yet");

    private async Task<Registry.History> History(CancellationToken ct) =>
        await Registry().Ask<Registry.History>(ModelRegistryProtocol.GetHistory.Instance, Timeout, ct).ConfigureAwait(false);

    private static Inspector.ModelVersionInfo ActiveOrThrow(object reply) => reply switch
    {
        Registry.ActiveModel active => Convert(active.Info),
        Registry.Refused refused => throw new InvalidOperationException(refused.Reason),
        _ => throw new InvalidOperationException($"unexpected reply {reply.GetType().Name}"),
    };

    private static Inspector.ModelVersionInfo Convert(Graph.Retraining.ModelVersionInfo info)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { ["learned"] = info.LearnCount, ["base_version"] = info.BaseVersion };
        if (info.Evaluation is { } e)
        {
            metrics["shadow_events"] = e.Events;
            metrics["active_alert_rate"] = e.ActiveAlertRate;
            metrics["candidate_alert_rate"] = e.CandidateAlertRate;
        }

        return new Inspector.ModelVersionInfo(
            info.Version.ToString(CultureInfo.InvariantCulture),
            $"{info.Status.ToString().ToLowerInvariant()} ({info.Trigger})",
            info.CreatedAt,
            metrics);
    }
}
