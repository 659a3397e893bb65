using System.Buffers;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Stage;
using Pipeline.Graph.Ingest;
using Pipeline.Models.Features;

namespace Pipeline.Graph.Windows.Internal;

/// <summary>The account-window stage behind <see cref="AccountWindowsFlow"/>; see there for its behaviour.</summary>
internal sealed class AccountWindowsStage : GraphStage<FlowShape<PipelineElement, PipelineElement>>
{
    private readonly WindowSettings _settings;
    private readonly AccountFeatureOptions _options;
    private readonly IFeatureStateStore _store;
    private readonly TimeProvider _clock;
    private readonly WindowsMetrics _metrics;
    private readonly ILoggingAdapter _log;

    public AccountWindowsStage(WindowSettings settings, IFeatureStateStore store, TimeProvider clock, WindowsMetrics metrics, ILoggingAdapter log)
    {
        _settings = settings;
        _options = settings.ToFeatureOptions();
        _store = store;
        _clock = clock;
        _metrics = metrics;
        _log = log;
        Shape = new FlowShape<PipelineElement, PipelineElement>(In, Out);
    }

    public Inlet<PipelineElement> In { get; } = new("account-windows.in");

    public Outlet<PipelineElement> Out { get; } = new("account-windows.out");

    public override FlowShape<PipelineElement, PipelineElement> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("account-windows");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : TimerGraphStageLogic, IInHandler, IOutHandler
    {
        private const string CheckpointTimer = "checkpoint";
        private const string SweepTimer = "idle-sweep";
        private const string RetryTimer = "store-retry";
        private const string SaveTimeoutTimer = "save-timeout";
        private const string LoadTimeoutTimer = "load-timeout";

        // An account untouched for this many sweep periods (idle-ttl / 4 each) is idle: it is
        // evicted between idle-ttl and 1.25 × idle-ttl after its last record.
        private const int SweepsPerTtl = 4;

        private readonly AccountWindowsStage _stage;
        private readonly WindowSettings _settings;
        private readonly AccountTable _accounts = new();
        private readonly ReadAhead _ahead;
        private readonly OutputQueue _queue = new();
        private readonly Queue<AccountSlot> _dirty = new();
        private readonly Queue<AccountSlot> _toLoad = new();

        // Set for a store in this process: accounts are written when they leave the stage, not per record.
        private readonly InMemoryFeatureStateStore? _inProcess;
        private AccountHandover? _handover;
        private Action<(PendingSave Save, Task<int> Task)>? _onSaved;
        private Action<(PendingLoad Load, Task<IReadOnlyList<byte[]?>> Task)>? _onLoaded;
        private Action? _onRunDry;
        private bool _runDryRequested;
        private PendingSave? _save;
        private ArrayBufferWriter<byte>? _spareBuffer;
        private PendingLoad? _load;
        private int _dirtyCount;
        private long _featurizedUnreported;
        private int _accountsReported = -1;
        private long _sweep;
        private bool _degraded;
        private bool _finishing;
        private bool _completed;

        public Logic(AccountWindowsStage stage)
            : base(stage.Shape)
        {
            _stage = stage;
            _settings = stage._settings;
            _inProcess = stage._store as InMemoryFeatureStateStore;
            _ahead = new ReadAhead(_accounts);
            SetHandler(stage.In, this);
            SetHandler(stage.Out, this);
        }

        public override void PreStart()
        {
            _onSaved = GetAsyncCallback<(PendingSave Save, Task<int> Task)>(r => OnSaved(r.Save, r.Task, storeFinished: true));
            _onLoaded = GetAsyncCallback<(PendingLoad Load, Task<IReadOnlyList<byte[]?>> Task)>(r => OnLoaded(r.Load, r.Task));
            _onRunDry = GetAsyncCallback(OnRunDry);
            if (_inProcess is not null)
            {
                var onHandover = GetAsyncCallback(OnHandover);
                _handover = new AccountHandover(onHandover);
                _inProcess.Register(_handover);
            }
            else
            {
                ScheduleRepeatedly(CheckpointTimer, _settings.CheckpointInterval);
            }

            ScheduleRepeatedly(SweepTimer, _settings.IdleTtl / SweepsPerTtl);
            _stage._metrics.SetDegraded(false);
            Pull(_stage.In);
        }

        public void OnPush()
        {
            var element = Grab(_stage.In);
            var sequence = _queue.Enqueue();
            if (element is AcceptedTransaction accepted)
            {
                _ahead.Add(accepted, sequence);
                if (_ahead.Count > ReadAhead.Depth) RouteOldestHeld();
                if (!_runDryRequested)
                {
                    // Runs once this interpreter pass has nothing left to do, that is once upstream
                    // has no further element at hand: what is still held is featurized then.
                    _runDryRequested = true;
                    _onRunDry!();
                }
            }
            else
            {
                _queue[sequence].Element = element;
            }

            Progress();
        }

        public void OnUpstreamFinish()
        {
            RouteAllHeld();
            _finishing = true;
            Progress();
        }

        public void OnUpstreamFailure(Exception e) => FailStage(e);

        public override void PostStop()
        {
            if (_handover is not null)
            {
                try
                {
                    WriteOut(_accounts.Values);
                }
                finally
                {
                    _handover.Close();
                    _inProcess!.Unregister(_handover);
                }
            }

            ReportMetrics();
        }

        public void OnPull() => Progress();

        public void OnDownstreamFinish(Exception cause) => CompleteStage();

        protected override void OnTimer(object timerKey)
        {
            RouteAllHeld();
            switch (timerKey)
            {
                case CheckpointTimer when !_degraded && _dirtyCount > 0:
                    StartSave("interval");
                    break;
                case SweepTimer:
                    Sweep();
                    break;
                case RetryTimer when _save is null:
                    if (_dirtyCount > 0)
                    {
                        StartSave("retry");
                    }
                    else
                    {
                        Recover();
                    }

                    break;
                case SaveTimeoutTimer when _save is { } save:
                    OnSaved(save, Task.FromException<int>(new TimeoutException($"checkpoint not acknowledged within {_settings.StoreTimeout}")), storeFinished: false);
                    break;
                case LoadTimeoutTimer when _load is { } load:
                    OnLoaded(load, Task.FromException<IReadOnlyList<byte[]?>>(new TimeoutException($"load not answered within {_settings.StoreTimeout}")));
                    break;
            }

            Progress();
        }

        /// <summary>The interpreter ran dry after elements were held: upstream has no more at hand, so nothing may wait for it.</summary>
        private void OnRunDry()
        {
            _runDryRequested = false;
            RouteAllHeld();
            Progress();
        }

        private void RouteOldestHeld()
        {
            var held = _ahead.TakeOldest();
            Route(held.Transaction, held.Sequence, held.Hash);
        }

        /// <summary>Featurizes every held transaction, oldest first, before anything else may look at the accounts.</summary>
        private void RouteAllHeld()
        {
            while (_ahead.Count > 0) RouteOldestHeld();
        }

        private void Route(AcceptedTransaction accepted, long sequence, int hash)
        {
            var tp = accepted.Offset.TopicPartition;
            var epoch = accepted.Offset.Epoch;
            if (!_accounts.TryGetValue(accepted.Transaction.AccountId, hash, out var account))
            {
                // A copy of the id, allocated next to the slot: the key comparison of later lookups
                // reads memory the slot's own cache lines bring in, not the first record's string.
                account = new AccountSlot(new string(accepted.Transaction.AccountId));
                _accounts.Add(account);
                if (!TryLoadNow(account)) QueueLoad(account);
            }
            else if (!account.Loading && (account.Epoch != epoch || (!ReferenceEquals(tp, account.Partition) && !tp.Equals(account.Partition))))
            {
                // The partition was (re)assigned since this account's last record: another host may
                // have advanced the account meanwhile, so the store is consulted before applying.
                if (!TryLoadNow(account)) QueueLoad(account);
            }

            account.Partition = tp;
            account.Epoch = epoch;
            account.LastSweep = _sweep;
            if (account.Loading && _load is null && account.Waiting is null)
            {
                // Nothing else is loading, so this account's load starts now; a store that answers
                // synchronously (the in-process one) completes it here and the record need not wait.
                StartLoad();
            }

            if (account.Loading)
            {
                (account.Waiting ??= new Queue<(AcceptedTransaction, long)>()).Enqueue((accepted, sequence));
            }
            else
            {
                Featurize(account, accepted, sequence);
            }
        }

        /// <summary>
        /// Loads the account at once from an in-process store no other flow holds accounts of:
        /// the store answers synchronously, so a batch, a task and a wait would be pure overhead.
        /// </summary>
        private bool TryLoadNow(AccountSlot account)
        {
            if (_inProcess is null) return false;
            var started = _stage._clock.GetTimestamp();
            if (!_inProcess.TryReadNow(account.Id, _handover, out var bytes)) return false;
            if (bytes is not null) Adopt(account, bytes);
            account.State ??= new AccountState(_stage._options);
            _stage._metrics.RecordLoad(bytes is null ? 0 : 1, bytes is null ? 1 : 0, _stage._clock.GetElapsedTime(started));
            return true;
        }

        private void QueueLoad(AccountSlot account)
        {
            if (_degraded)
            {
                // The store is failing: do not wait for it. A new account starts empty (its stored
                // history, if any, is overwritten by the next checkpoint once the store is back).
                account.State ??= new AccountState(_stage._options);
                return;
            }

            account.Loading = true;
            _toLoad.Enqueue(account);
        }

        private void Featurize(AccountSlot account, AcceptedTransaction accepted, long sequence)
        {
            var offset = accepted.Offset;
            var position = new RecordPosition(offset.TopicPartition.Topic, offset.TopicPartition.Partition.Value, offset.Offset);
            var features = account.State!.Process(accepted.Transaction, position);
            if (!features.Replayed)
            {
                account.Applied++;
                if (_inProcess is null) MarkDirty(account);
            }

            _featurizedUnreported++;
            if (features.Late || features.Replayed) _stage._metrics.RecordUnusual(features.Late, features.Replayed);
            ref var slot = ref _queue[sequence];
            slot.Element = new FeaturedTransaction(offset, accepted.ReceivedAt, accepted.Transaction, features, features.Late);
            if (_inProcess is not null) return;
            slot.Account = account;
            slot.Version = account.Applied;
        }

        /// <summary>
        /// Publishes the per-element counts gathered since the last call. Counting in fields and
        /// publishing at checkpoints, when the stage runs dry and when it stops keeps the metric
        /// updates off the per-element path.
        /// </summary>
        private void ReportMetrics()
        {
            if (_featurizedUnreported > 0)
            {
                _stage._metrics.RecordFeaturized(_featurizedUnreported);
                _featurizedUnreported = 0;
            }

            if (_accountsReported != _accounts.Count)
            {
                _accountsReported = _accounts.Count;
                _stage._metrics.SetAccounts(_accountsReported);
            }
        }

        private void MarkDirty(AccountSlot account)
        {
            if (account.Dirty) return;
            account.Dirty = true;
            _dirtyCount++;
            _dirty.Enqueue(account);
        }

        /// <summary>Everything that may follow any event: loads, checkpoints, emission, demand, completion.</summary>
        private void Progress()
        {
            if (_completed) return;
            StartLoad();
            MaybeSave();
            if (IsAvailable(_stage.Out) && _queue.Count > 0 && _queue.Head.Element is { } head && (_degraded || !_queue.Head.WaitsForCheckpoint))
            {
                _queue.Dequeue();
                Push(_stage.Out, head);
                if (_queue.Count == 0) ReportMetrics();
            }

            if (!_finishing && !HasBeenPulled(_stage.In) && _queue.Count < _settings.MaxInFlight) Pull(_stage.In);
            if (_finishing && _queue.Count == 0 && _load is null && _save is null && (_dirtyCount == 0 || _degraded))
            {
                if (_dirtyCount > 0)
                {
                    _stage._log.Warning("Account windows completed with {Accounts} accounts not checkpointed: the feature store {Store} is unavailable", _dirtyCount, _stage._store.Description);
                }

                _completed = true;
                ReportMetrics();
                CompleteStage();
            }
        }

        private void MaybeSave()
        {
            if (_save is not null || _dirtyCount == 0 || _degraded) return;
            if (_dirtyCount >= _settings.CheckpointBatch)
            {
                StartSave("batch full");
            }
            else if (_queue.Count >= _settings.MaxInFlight && _queue.Head.WaitsForCheckpoint)
            {
                StartSave("buffer full");
            }
            else if (_finishing)
            {
                StartSave("upstream completed");
            }
        }

        private void StartSave(string trigger)
        {
            if (_save is not null) return;
            var accounts = new List<AccountSlot>(Math.Min(_dirtyCount, _settings.CheckpointBatch));
            var checkpoints = new List<FeatureCheckpoint>(accounts.Capacity);
            var versions = new List<long>(accounts.Capacity);
            var buffer = _spareBuffer ?? new ArrayBufferWriter<byte>();
            _spareBuffer = null;
            buffer.ResetWrittenCount();
            while (accounts.Count < _settings.CheckpointBatch && _dirty.TryDequeue(out var account))
            {
                if (!account.Dirty) continue;
                account.Dirty = false;
                _dirtyCount--;
                accounts.Add(account);
                versions.Add(account.Applied);
                var start = buffer.WrittenCount;
                var length = account.State!.WriteTo(buffer);
                checkpoints.Add(new FeatureCheckpoint(account.Id, account.State.LastApplied!.Value, buffer.WrittenMemory.Slice(start, length)));
            }

            if (accounts.Count == 0)
            {
                _spareBuffer = buffer;
                return;
            }

            ReportMetrics();
            var save = new PendingSave(accounts, versions, buffer, trigger, _stage._clock.GetTimestamp());
            _save = save;
            Task<int> task;
            try
            {
                task = _stage._store.SaveAsync(checkpoints, CancellationToken.None);
            }
            catch (Exception e)
            {
                task = Task.FromException<int>(e);
            }

            if (task.IsCompleted)
            {
                OnSaved(save, task, storeFinished: true);
                return;
            }

            ScheduleOnce(SaveTimeoutTimer, _settings.StoreTimeout);
            WhenSaved(save, task, _onSaved!);
        }

        /// <param name="save">The save that ended.</param>
        /// <param name="task">Its outcome.</param>
        /// <param name="storeFinished">
        /// The store's task completed, so it no longer reads the checkpoint buffer and the buffer can
        /// be reused; false after a timeout, when the store may still be sending it.
        /// </param>
        private void OnSaved(PendingSave save, Task<int> task, bool storeFinished)
        {
            if (!ReferenceEquals(_save, save)) return;
            _save = null;
            if (storeFinished) _spareBuffer = save.Buffer;
            CancelTimer(SaveTimeoutTimer);
            if (task.IsCompletedSuccessfully)
            {
                for (var i = 0; i < save.Accounts.Count; i++)
                {
                    var account = save.Accounts[i];
                    account.Durable = Math.Max(account.Durable, save.Versions[i]);
                }

                _stage._metrics.RecordSave(save.Accounts.Count, task.Result, _stage._clock.GetElapsedTime(save.Started));
                if (_degraded) Recover();
            }
            else
            {
                _stage._metrics.RecordSaveFailure();
                foreach (var account in save.Accounts)
                {
                    if (account.Durable < account.Applied) MarkDirty(account);
                }

                EnterDegraded($"checkpoint of {save.Accounts.Count} accounts ({save.Trigger})", Unwrap(task));
            }

            Progress();
        }

        private void StartLoad()
        {
            if (_load is not null || _toLoad.Count == 0) return;
            var size = Math.Min(_toLoad.Count, _settings.LoadBatch);
            var accounts = new List<AccountSlot>(size);
            var ids = new string[size];
            while (accounts.Count < size && _toLoad.TryDequeue(out var account))
            {
                ids[accounts.Count] = account.Id;
                accounts.Add(account);
            }

            var load = new PendingLoad(accounts, _stage._clock.GetTimestamp());
            _load = load;
            Task<IReadOnlyList<byte[]?>> task;
            try
            {
                task = _inProcess is not null ? _inProcess.LoadAsync(ids, _handover) : _stage._store.LoadAsync(ids, CancellationToken.None);
            }
            catch (Exception e)
            {
                task = Task.FromException<IReadOnlyList<byte[]?>>(e);
            }

            if (task.IsCompleted)
            {
                OnLoaded(load, task);
                return;
            }

            ScheduleOnce(LoadTimeoutTimer, _settings.StoreTimeout);
            WhenLoaded(load, task, _onLoaded!);
        }

        private void OnLoaded(PendingLoad load, Task<IReadOnlyList<byte[]?>> task)
        {
            if (!ReferenceEquals(_load, load)) return;
            _load = null;
            CancelTimer(LoadTimeoutTimer);
            if (task.IsCompletedSuccessfully && task.Result.Count == load.Accounts.Count)
            {
                var hits = 0;
                for (var i = 0; i < load.Accounts.Count; i++)
                {
                    if (task.Result[i] is { } bytes)
                    {
                        hits++;
                        Adopt(load.Accounts[i], bytes);
                    }
                }

                _stage._metrics.RecordLoad(hits, load.Accounts.Count - hits, _stage._clock.GetElapsedTime(load.Started));
            }
            else
            {
                _stage._metrics.RecordLoadFailure();
                var error = task.IsCompletedSuccessfully
                    ? new InvalidOperationException($"the store returned {task.Result.Count} states for {load.Accounts.Count} accounts")
                    : Unwrap(task);
                EnterDegraded($"load of {load.Accounts.Count} accounts", error);
            }

            foreach (var account in load.Accounts)
            {
                account.State ??= new AccountState(_stage._options);
                account.Loading = false;
                while (account.Waiting is { Count: > 0 } waiting)
                {
                    var (accepted, sequence) = waiting.Dequeue();
                    Featurize(account, accepted, sequence);
                }

                account.Waiting = null;
            }

            Progress();
        }

        /// <summary>Takes the stored state unless the one in memory is at least as far along on the same partition.</summary>
        private void Adopt(AccountSlot account, byte[] bytes)
        {
            AccountState restored;
            try
            {
                restored = AccountState.FromBytes(bytes, _stage._options);
            }
            catch (InvalidDataException e)
            {
                _stage._metrics.RecordCorrupt();
                _stage._log.Warning("Stored window state of account {AccountId} in {Store} is unreadable ({Reason}); the account starts empty", account.Id, _stage._store.Description, e.Message);
                return;
            }

            var mine = account.State?.LastApplied;
            var theirs = restored.LastApplied;
            var take = account.State is null
                || (theirs is { } t && (mine is not { } m || (t.SamePartitionAs(m) && t.Offset > m.Offset)));
            if (!take) return;
            account.State = restored;
            if (account.Dirty)
            {
                // What this host had not yet written is older than what the store holds now.
                account.Dirty = false;
                _dirtyCount--;
            }

            account.Durable = account.Applied;
        }

        private void EnterDegraded(string operation, Exception error)
        {
            if (!_degraded)
            {
                _degraded = true;
                _stage._metrics.SetDegraded(true);
                _stage._log.Warning(error, "Feature store {Store} failed during {Operation}; account windows continue on in-memory state only and retry every {RetryMs} ms",
                    _stage._store.Description, operation, (long)_settings.RetryInterval.TotalMilliseconds);
            }
            else
            {
                _stage._log.Debug("Feature store {Store} still failing during {Operation}: {Error}", _stage._store.Description, operation, error.Message);
            }

            if (!IsTimerActive(RetryTimer)) ScheduleOnce(RetryTimer, _settings.RetryInterval);
        }

        private void Recover()
        {
            if (!_degraded) return;
            _degraded = false;
            _stage._metrics.SetDegraded(false);
            _stage._log.Info("Feature store {Store} is reachable again; checkpoints resumed with {Dirty} accounts pending", _stage._store.Description, _dirtyCount);
        }

        private void Sweep()
        {
            _sweep++;
            if (_degraded) return;
            List<AccountSlot>? idle = null;
            foreach (var account in _accounts.Values)
            {
                if (_sweep - account.LastSweep > SweepsPerTtl && !account.Loading && account.Waiting is null
                    && (_inProcess is not null || (!account.Dirty && account.Durable >= account.Applied)))
                {
                    (idle ??= []).Add(account);
                }
            }

            if (idle is null) return;
            if (_inProcess is not null) WriteOut(idle);
            foreach (var account in idle) _accounts.Remove(account.Id);
            _stage._metrics.RecordEvicted(idle.Count);
            ReportMetrics();
        }

        /// <summary>Another flow sharing the in-process store loads accounts: write and release those held here.</summary>
        private void OnHandover()
        {
            RouteAllHeld();
            var requests = _handover!.TakeRequests();
            if (requests is null) return;
            List<AccountSlot>? released = null;
            foreach (var (ids, _) in requests)
            {
                foreach (var id in ids)
                {
                    // A loading account is being read from the store by this stage too: it has nothing newer to give.
                    if (_accounts.TryGetValue(id, out var account) && !account.Loading && account.Waiting is null)
                    {
                        (released ??= []).Add(account);
                        _accounts.Remove(id);
                    }
                }
            }

            try
            {
                if (released is not null) WriteOut(released);
            }
            finally
            {
                foreach (var (_, done) in requests) done.TrySetResult();
            }

            ReportMetrics();
        }

        /// <summary>
        /// Hands accounts leaving the stage to the in-process store, in batches of
        /// <c>checkpoint-batch</c>; the stage never touches their states again.
        /// </summary>
        private void WriteOut(IEnumerable<AccountSlot> accounts)
        {
            var released = new List<(string AccountId, AccountState State)>(Math.Min(_settings.CheckpointBatch, _accounts.Count + 1));
            foreach (var account in accounts)
            {
                if (account.State is not { LastApplied: not null } state) continue;
                released.Add((account.Id, state));
                account.Durable = account.Applied;
                if (released.Count == _settings.CheckpointBatch) Flush();
            }

            Flush();

            void Flush()
            {
                if (released.Count == 0) return;
                var started = _stage._clock.GetTimestamp();
                var stale = _inProcess!.Keep(released);
                _stage._metrics.RecordSave(released.Count, stale, _stage._clock.GetElapsedTime(started));
                released.Clear();
            }
        }

        // The continuations live in their own methods: a lambda capturing a local of StartSave or
        // StartLoad would make the compiler allocate its closure on every call of those methods,
        // including the early returns that Progress takes for nearly every element.
        private static void WhenSaved(PendingSave save, Task<int> task, Action<(PendingSave Save, Task<int> Task)> callback) =>
            task.ContinueWith(t => callback((save, t)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        private static void WhenLoaded(PendingLoad load, Task<IReadOnlyList<byte[]?>> task, Action<(PendingLoad Load, Task<IReadOnlyList<byte[]?>> Task)> callback) =>
            task.ContinueWith(t => callback((load, t)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        private static Exception Unwrap(Task task) =>
            task.Exception is { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : task.Exception ?? (Exception)new TaskCanceledException(task);

        /// <summary>A checkpoint in flight: its accounts, their versions, and the buffer their snapshots are slices of.</summary>
        private sealed record PendingSave(List<AccountSlot> Accounts, List<long> Versions, ArrayBufferWriter<byte> Buffer, string Trigger, long Started);

        private sealed record PendingLoad(List<AccountSlot> Accounts, long Started);
    }
}
