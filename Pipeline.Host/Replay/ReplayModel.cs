using Akka.Actor;
using Microsoft.Data.Sqlite;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Retraining;
using Pipeline.Graph.Scoring;
using Pipeline.Models.Anomaly;
using Pipeline.Models.Features;
using Registry = Pipeline.Graph.Retraining.ModelRegistryProtocol;

namespace Pipeline.Host.Replay;

/// <summary>
/// The model a replay scores with: a private copy of the registry's active version (read from the
/// registry's journal and snapshots, the way the host recovers it), or a fresh model built from
/// <c>pipeline.scoring</c> — the one the live host bootstraps with — when asked for or when the
/// registry holds none. The copy scores then learns like the live model, and is never written back:
/// the replay sends the registry nothing but <see cref="Registry.GetActive"/>.
/// </summary>
public static class ReplayModel
{
    /// <summary>The <c>model_version</c> of rows scored by a fresh model.</summary>
    public const string FreshVersion = "fresh";

    /// <summary>Loads the model.</summary>
    /// <param name="system">The replay's actor system, configured with the registry's persistence.</param>
    /// <param name="settings">The graph settings (scoring and windows decide the model's shape).</param>
    /// <param name="persistence">The registry's journal and snapshot store.</param>
    /// <param name="useRegistry">False for <c>--model fresh</c>.</param>
    /// <param name="timeout">How long recovering the registry may take.</param>
    /// <param name="ct">Abandons loading.</param>
    /// <returns>The scorer and one line saying which model it is.</returns>
    /// <exception cref="ReplayException">The registry did not answer in time or its model does not fit the configuration.</exception>
    public static async Task<(ModelTransactionScorer Scorer, string Description)> LoadAsync(
        ActorSystem system, TransactionGraphSettings settings, PersistenceSettings persistence, bool useRegistry, TimeSpan timeout, CancellationToken ct)
    {
        var names = AccountFeatures.Names(settings.Windows.Sizes);
        var fresh = ModelTransactionScorer.Create(settings.Scoring, names, FreshVersion);
        if (!useRegistry) return (fresh, "a fresh model from pipeline.scoring (--model fresh)");
        if (persistence.Provider == "sqlite" && new SqliteConnectionStringBuilder(persistence.ConnectionString).DataSource is var file && !File.Exists(file))
        {
            return (fresh, $"a fresh model from pipeline.scoring (no model registry at {file})");
        }

        // The registry recovers read-only: it persists nothing unless it is sent a command that changes it.
        var registry = system.ActorOf(ModelRegistryActor.Props(LifecycleSettings.Create(system.Settings.Config), system.DeadLetters), "model-registry-reader");
        try
        {
            var reply = await registry.Ask<object>(Registry.GetActive.Instance, timeout, ct).ConfigureAwait(false);
            if (reply is not Registry.ActiveModel active) return (fresh, "a fresh model from pipeline.scoring (the registry holds no model yet)");
            using var bytes = new MemoryStream(active.Model);
            var model = TransactionAnomalyModel.ReadFrom(bytes, ModelTransactionScorer.Configuration(settings.Scoring));
            if (!model.FeatureNames.SequenceEqual(names, StringComparer.Ordinal))
            {
                throw new ReplayException($"the registry's active model (version {active.Version}) uses other features than pipeline.windows configures; replay with --model fresh or the host's configuration");
            }

            var version = active.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return (new ModelTransactionScorer(model, version), $"a copy of registry version {version} ({active.Info.Trigger}, learned {active.Info.LearnCount} transactions)");
        }
        catch (Exception ex) when (ex is AskTimeoutException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new ReplayException($"the model registry ({persistence}) did not answer within {timeout.TotalSeconds:0}s; replay with --model fresh", ex);
        }
        catch (InvalidDataException ex)
        {
            throw new ReplayException($"the registry's active model cannot be read: {ex.Message}; replay with --model fresh", ex);
        }
        finally
        {
            system.Stop(registry);
        }
    }
}
