using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using static Pipeline.Graph.Retraining.ModelRegistryEvents;
using static Pipeline.Graph.Retraining.ModelRegistryProtocol;

namespace Pipeline.Graph.Retraining;

/// <summary>
/// The only writer of model versions (DESIGN §1, §4): a persistent actor (persistence id
/// "model-registry") that journals every lifecycle step, snapshots the active model with the
/// history, issues monotonic versions, accepts checkpoints of the live model only against the
/// version they were learned from (compare-and-set), asks the retraining actor for candidates,
/// and publishes shadow requests and promotions to its subscribers (the scoring stages).
/// A rollback creates a new version holding the earlier bytes, so versions never go backwards.
/// A retrain requested while a candidate is being trained or shadow-evaluated is refused but
/// remembered (the latest reason, in memory only): if that candidate is rejected, the registry
/// retrains once more, from the newer sample, because the drift that asked for it came after the
/// rejected candidate's sample was taken.
/// </summary>
public sealed class ModelRegistryActor : ReceivePersistentActor, IWithTimers
{
    /// <summary>The persistence id of the registry (one registry per system; a cluster singleton when scaled out).</summary>
    public const string RegistryPersistenceId = "model-registry";

    private readonly LifecycleSettings _settings;
    private readonly IActorRef _retrainer;
    private readonly Func<DateTimeOffset> _clock;
    private readonly SortedDictionary<long, ModelVersionInfo> _versions = [];
    private readonly Dictionary<long, byte[]> _models = [];
    private readonly HashSet<IActorRef> _subscribers = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _lastVersion;
    private long _activeVersion;
    private long? _trainingFrom;
    private string? _deferredReason;
    private int _eventsSinceSnapshot;

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of the registry; <paramref name="retrainer"/> receives <see cref="RetrainingProtocol.TrainCandidate"/>.</summary>
    public static Props Props(LifecycleSettings settings, IActorRef retrainer, Func<DateTimeOffset>? clock = null) =>
        Akka.Actor.Props.Create(() => new ModelRegistryActor(settings, retrainer, clock ?? (() => DateTimeOffset.UtcNow)));

    /// <summary>Use <see cref="Props(LifecycleSettings, IActorRef, Func{DateTimeOffset}?)"/>; public for Props.Create.</summary>
    public ModelRegistryActor(LifecycleSettings settings, IActorRef retrainer, Func<DateTimeOffset> clock)
    {
        _settings = settings;
        _retrainer = retrainer;
        _clock = clock;

        Recover<SnapshotOffer>(offer => Restore((ModelRegistrySnapshot)offer.Snapshot));
        Recover<Event>(Apply);
        Recover<RecoveryCompleted>(_ => _log.Info("Model registry recovered: active version {ActiveVersion}, {VersionCount} versions", _activeVersion, _versions.Count));

        Command<Bootstrap>(OnBootstrap);
        Command<GetActive>(_ => Sender.Tell(_activeVersion == 0 ? NoActiveModel.Instance : Active()));
        Command<GetHistory>(_ => Sender.Tell(new History(_versions.Values.ToArray())));
        Command<RequestRetrain>(OnRequestRetrain);
        Command<RetrainingProtocol.CandidateReady>(OnCandidateReady);
        Command<RetrainingProtocol.TrainingFailed>(OnTrainingFailed);
        Command<TrainingOverdue>(OnTrainingOverdue);
        Command<SubmitEvaluation>(OnEvaluation);
        Command<Promote>(OnPromote);
        Command<Rollback>(OnRollback);
        Command<Checkpoint>(OnCheckpoint);
        Command<Subscribe>(OnSubscribe);
        Command<Terminated>(t => _subscribers.Remove(t.ActorRef));
        Command<SaveSnapshotSuccess>(s => _log.Debug("Registry snapshot saved at sequence {Sequence}", s.Metadata.SequenceNr));
        Command<SaveSnapshotFailure>(f => _log.Warning(f.Cause, "Registry snapshot failed; the journal still holds every event"));
    }

    /// <inheritdoc />
    public override string PersistenceId => RegistryPersistenceId;

    private ActiveModel Active() => new(_activeVersion, _models[_activeVersion], _versions[_activeVersion]);

    private ModelVersionInfo? Pending() => _versions.Values.LastOrDefault(v => v.Status == ModelStatus.Candidate);

    private void OnBootstrap(Bootstrap cmd)
    {
        if (_activeVersion != 0)
        {
            Sender.Tell(Active());
            return;
        }

        var sender = Sender;
        Save(new Promoted(_lastVersion + 1, "initial", cmd.Model, cmd.LearnCount, _clock()), _ =>
        {
            sender.Tell(Active());
            Publish(new ModelPromoted(_activeVersion, _models[_activeVersion], "initial"));
        });
    }

    private void OnRequestRetrain(RequestRetrain cmd)
    {
        if (_activeVersion == 0) { Sender.Tell(new Refused("no active model to retrain")); return; }
        if (_trainingFrom is not null)
        {
            _deferredReason = cmd.Reason;
            Sender.Tell(new Refused($"a candidate is already being trained from version {_trainingFrom}; this retrain runs if that candidate is rejected"));
            return;
        }

        if (Pending() is { } p)
        {
            _deferredReason = cmd.Reason;
            Sender.Tell(new Refused($"candidate version {p.Version} is under shadow evaluation; this retrain runs if it is rejected"));
            return;
        }

        StartRetrain(cmd.Reason, Sender);
    }

    private void StartRetrain(string reason, IActorRef sender)
    {
        var from = _activeVersion;
        Save(new RetrainRequested(reason, from, _clock()), _ =>
        {
            _trainingFrom = from;
            _retrainer.Tell(new RetrainingProtocol.TrainCandidate(from, _models[from], reason, Self));

            // A request sent while the retraining actor is between restarts is dropped by its
            // supervisor; past this deadline no answer can come and a new request is allowed.
            Timers.StartSingleTimer(nameof(TrainingOverdue), new TrainingOverdue(from), _settings.TrainingTimeout + _settings.BackoffMax + _settings.BackoffMax);
            sender.Tell(new RetrainAccepted(from));
        });
    }

    private void OnCandidateReady(RetrainingProtocol.CandidateReady ready)
    {
        if (_trainingFrom != ready.BaseVersion)
        {
            _log.Warning("Ignoring a candidate trained from version {BaseVersion}: none was expected", ready.BaseVersion);
            return;
        }

        _trainingFrom = null;
        Timers.Cancel(nameof(TrainingOverdue));
        Save(new CandidateTrained(_lastVersion + 1, ready.BaseVersion, ready.Reason, ready.Model, ready.LearnCount, ready.SampleSize, _clock()), e =>
            Publish(new ShadowRequested(e.Version, e.Model)));
    }

    private void OnTrainingFailed(RetrainingProtocol.TrainingFailed failed)
    {
        if (_trainingFrom != failed.BaseVersion) return;
        _trainingFrom = null;
        Timers.Cancel(nameof(TrainingOverdue));
        _log.Warning("Retraining from version {BaseVersion} ({Reason}) failed: {Error}", failed.BaseVersion, failed.Reason, failed.Error);
    }

    private void OnTrainingOverdue(TrainingOverdue overdue)
    {
        if (_trainingFrom != overdue.BaseVersion) return;
        _trainingFrom = null;
        _log.Warning("No candidate came back for the retrain from version {BaseVersion}; a new retrain may be requested", overdue.BaseVersion);
    }

    private void OnEvaluation(SubmitEvaluation submit)
    {
        if (Pending() is not { } pending || pending.Version != submit.Version)
        {
            Sender.Tell(new Refused($"version {submit.Version} is not the candidate under evaluation"));
            return;
        }

        Save(new CandidateEvaluated(submit.Version, submit.Evaluation, _clock()), _ =>
        {
            if (submit.Evaluation.Promote && submit.Version > _activeVersion)
            {
                // The promoted candidate already reflects the traffic that drifted meanwhile.
                _deferredReason = null;
                Save(new Promoted(submit.Version, "shadow evaluation: " + submit.Evaluation.Reason, null, pending.LearnCount, _clock()), p =>
                    Publish(new ModelPromoted(p.Version, _models[p.Version], p.Trigger)));
            }
            else
            {
                Save(new Rejected(submit.Version, submit.Evaluation.Reason, _clock()), _ =>
                {
                    if (_deferredReason is not { } deferred) return;
                    _deferredReason = null;
                    _log.Info("Candidate version {Version} rejected; retraining for the request received during its evaluation ({Reason})", submit.Version, deferred);
                    StartRetrain(deferred, ActorRefs.Nobody);
                });
            }
        });
    }

    private void OnPromote(Promote cmd)
    {
        if (!_versions.TryGetValue(cmd.Version, out var info) || !_models.ContainsKey(cmd.Version))
        {
            Sender.Tell(new Refused($"version {cmd.Version} is unknown or its model is no longer retained"));
            return;
        }

        if (cmd.Version <= _activeVersion)
        {
            Sender.Tell(new Refused($"version {cmd.Version} is not newer than the active version {_activeVersion}; use a rollback"));
            return;
        }

        var sender = Sender;
        Save(new Promoted(cmd.Version, "command", null, info.LearnCount, _clock()), _ =>
        {
            sender.Tell(Active());
            Publish(new ModelPromoted(_activeVersion, _models[_activeVersion], "command"));
        });
    }

    private void OnRollback(Rollback cmd)
    {
        if (cmd.ToVersion == _activeVersion || !_versions.TryGetValue(cmd.ToVersion, out var info) || !_models.TryGetValue(cmd.ToVersion, out var bytes)
            || info.Status == ModelStatus.Candidate)
        {
            Sender.Tell(new Refused($"version {cmd.ToVersion} cannot be rolled back to: it is active, unknown, a pending candidate, or its model is no longer retained"));
            return;
        }

        var sender = Sender;
        Save(new RolledBack(_lastVersion + 1, cmd.ToVersion, bytes, info.LearnCount, _clock()), _ =>
        {
            sender.Tell(Active());
            Publish(new ModelPromoted(_activeVersion, _models[_activeVersion], _versions[_activeVersion].Trigger));
        });
    }

    private void OnCheckpoint(Checkpoint cmd)
    {
        if (cmd.BaseVersion != _activeVersion)
        {
            Sender.Tell(new Refused($"checkpoint of version {cmd.BaseVersion} refused: the active version is {_activeVersion}"));
            return;
        }

        var sender = Sender;
        Save(new Checkpointed(cmd.BaseVersion, cmd.Model, cmd.LearnCount, _clock()), e => sender.Tell(new CheckpointAccepted(e.Version, e.LearnCount)));
    }

    private void OnSubscribe(Subscribe cmd)
    {
        if (_subscribers.Add(cmd.Subscriber)) Context.Watch(cmd.Subscriber);
        if (_activeVersion != 0) cmd.Subscriber.Tell(new ModelPromoted(_activeVersion, _models[_activeVersion], _versions[_activeVersion].Trigger));
        if (Pending() is { } p && _models.TryGetValue(p.Version, out var candidate)) cmd.Subscriber.Tell(new ShadowRequested(p.Version, candidate));
    }

    private void Publish(object message)
    {
        foreach (var s in _subscribers) s.Tell(message);
    }

    private void Save<T>(T e, Action<T> then)
        where T : Event
    {
        Persist(e, persisted =>
        {
            var before = new Dictionary<long, ModelVersionInfo>(_versions);
            Apply(persisted);
            foreach (var info in _versions.Values)
            {
                if (!before.TryGetValue(info.Version, out var old) || old != info) Publish(new VersionUpdated(info));
            }

            if (++_eventsSinceSnapshot >= _settings.SnapshotEveryEvents)
            {
                _eventsSinceSnapshot = 0;
                SaveSnapshot(ToSnapshot());
            }

            then(persisted);
        });
    }

    private void Apply(Event e)
    {
        switch (e)
        {
            case RetrainRequested:
                break;
            case CandidateTrained c:
                _lastVersion = Math.Max(_lastVersion, c.Version);
                _versions[c.Version] = new ModelVersionInfo(c.Version, ModelStatus.Candidate, "retrain: " + c.Reason, c.BaseVersion, c.At, null, null, c.LearnCount, null);
                _models[c.Version] = c.Model;
                break;
            case CandidateEvaluated ev:
                _versions[ev.Version] = _versions[ev.Version] with { Evaluation = ev.Evaluation };
                break;
            case Promoted p:
                _lastVersion = Math.Max(_lastVersion, p.Version);
                if (p.Model is not null)
                {
                    _versions[p.Version] = new ModelVersionInfo(p.Version, ModelStatus.Active, p.Trigger, 0, p.At, p.At, null, p.LearnCount, null);
                    _models[p.Version] = p.Model;
                }

                Activate(p.Version, p.At);
                break;
            case Rejected r:
                _versions[r.Version] = _versions[r.Version] with { Status = ModelStatus.Rejected };
                break;
            case RolledBack rb:
                _lastVersion = Math.Max(_lastVersion, rb.Version);
                _versions[rb.Version] = new ModelVersionInfo(rb.Version, ModelStatus.Active, $"rollback to {rb.ToVersion}", rb.ToVersion, rb.At, rb.At, null, rb.LearnCount, null);
                _models[rb.Version] = rb.Model;
                Activate(rb.Version, rb.At);
                break;
            case Checkpointed cp:
                _models[cp.Version] = cp.Model;
                _versions[cp.Version] = _versions[cp.Version] with { LearnCount = cp.LearnCount, CheckpointedAt = cp.At };
                break;
        }

        Prune();
    }

    private void Activate(long version, DateTimeOffset at)
    {
        if (_activeVersion != 0 && _activeVersion != version) _versions[_activeVersion] = _versions[_activeVersion] with { Status = ModelStatus.Retired };
        _versions[version] = _versions[version] with { Status = ModelStatus.Active, PromotedAt = at };
        _activeVersion = version;
    }

    // Bytes of old versions are dropped beyond the retention; their metadata stays in the history.
    private void Prune()
    {
        var keep = _models.Keys.Where(v => v != _activeVersion).OrderDescending().Skip(_settings.RetainedVersions).ToList();
        foreach (var v in keep) _models.Remove(v);
    }

    private ModelRegistrySnapshot ToSnapshot()
    {
        var modelVersions = _models.Keys.Order().ToArray();
        return new ModelRegistrySnapshot(_lastVersion, _activeVersion, _versions.Values.ToArray(), modelVersions, modelVersions.Select(v => _models[v]).ToArray());
    }

    private void Restore(ModelRegistrySnapshot s)
    {
        _versions.Clear();
        _models.Clear();
        foreach (var v in s.Versions) _versions[v.Version] = v;
        for (var i = 0; i < s.ModelVersions.Length; i++) _models[s.ModelVersions[i]] = s.Models[i];
        _lastVersion = s.LastVersion;
        _activeVersion = s.ActiveVersion;
    }

    private sealed record TrainingOverdue(long BaseVersion);
}
