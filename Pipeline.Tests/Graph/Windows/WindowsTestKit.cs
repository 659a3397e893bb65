using Confluent.Kafka;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Kafka.Internal;
using Pipeline.Graph.Windows;
using Pipeline.Models.Domain;
using Pipeline.Tests.Graph.Kafka;
using Pipeline.Tests.Models.Features;

namespace Pipeline.Tests.Graph.Windows;

/// <summary>Elements, offsets and settings for the account-window stage tests.</summary>
internal static class WindowsTestKit
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    /// <summary>Settings from hocon/reference.conf alone.</summary>
    public static WindowSettings Settings() => WindowSettings.Create(KafkaTestConfig.Reference.GetConfig(WindowSettings.DefaultPath));

    /// <summary>An accepted transaction of <paramref name="account"/> at <paramref name="offset"/> of partition 0.</summary>
    public static AcceptedTransaction Accepted(FakeConsumer consumer, long offset, string account, DateTimeOffset at, double amount, int partition = 0, int epoch = 1) =>
        new(consumer.Offset(new TopicPartition("transactions", partition), offset, epoch), at, FeatureTestData.Tx(at, amount, account: account));

    /// <summary>A consumer that only mints offsets; the window stage never commits.</summary>
    internal sealed class FakeConsumer : IConsumerHost
    {
        public string GroupId => "windows-tests";

        public CommittableOffset Offset(TopicPartition tp, long offset, int epoch = 1) => new(this, tp, offset, epoch);

        public Task Commit(IReadOnlyList<OffsetToCommit> offsets, string trigger) => Task.CompletedTask;
    }

    /// <summary>A store whose loads and saves complete when the test says so, recording every call.</summary>
    internal sealed class GatedStore : IFeatureStateStore
    {
        private readonly InMemoryFeatureStateStore _inner = new(TimeSpan.FromDays(1), TimeProvider.System);
        private readonly Queue<(IReadOnlyList<FeatureCheckpoint> Batch, TaskCompletionSource<int> Done)> _saves = new();
        private readonly Queue<(IReadOnlyList<string> Ids, TaskCompletionSource<IReadOnlyList<byte[]?>> Done)> _loads = new();
        private readonly object _gate = new();

        public string Description => "gated test store";

        public InMemoryFeatureStateStore Inner => _inner;

        public List<IReadOnlyList<string>> LoadBatches { get; } = [];

        public int PendingSaves
        {
            get
            {
                lock (_gate) return _saves.Count;
            }
        }

        public int PendingLoads
        {
            get
            {
                lock (_gate) return _loads.Count;
            }
        }

        public Task<IReadOnlyList<byte[]?>> LoadAsync(IReadOnlyList<string> accountIds, CancellationToken cancellationToken)
        {
            var done = new TaskCompletionSource<IReadOnlyList<byte[]?>>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                LoadBatches.Add(accountIds.ToList());
                _loads.Enqueue((accountIds.ToList(), done));
            }

            return done.Task;
        }

        public Task<int> SaveAsync(IReadOnlyList<FeatureCheckpoint> checkpoints, CancellationToken cancellationToken)
        {
            var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate) _saves.Enqueue((checkpoints.ToList(), done));
            return done.Task;
        }

        /// <summary>Answers the oldest pending load from the inner store.</summary>
        public async Task ReleaseLoadAsync()
        {
            (IReadOnlyList<string> Ids, TaskCompletionSource<IReadOnlyList<byte[]?>> Done) load;
            lock (_gate) load = _loads.Dequeue();
            load.Done.SetResult(await _inner.LoadAsync(load.Ids, CancellationToken.None));
        }

        /// <summary>Writes the oldest pending save to the inner store and acknowledges it.</summary>
        public async Task ReleaseSaveAsync()
        {
            (IReadOnlyList<FeatureCheckpoint> Batch, TaskCompletionSource<int> Done) save;
            lock (_gate) save = _saves.Dequeue();
            save.Done.SetResult(await _inner.SaveAsync(save.Batch, CancellationToken.None));
        }
    }

    /// <summary>An in-memory store that fails every call while <see cref="Failing"/> is set.</summary>
    internal sealed class FlakyStore : IFeatureStateStore
    {
        public InMemoryFeatureStateStore Inner { get; } = new(TimeSpan.FromDays(1), TimeProvider.System);

        public volatile bool Failing;

        public string Description => "flaky test store";

        public Task<IReadOnlyList<byte[]?>> LoadAsync(IReadOnlyList<string> accountIds, CancellationToken cancellationToken) =>
            Failing ? Task.FromException<IReadOnlyList<byte[]?>>(new IOException("store down")) : Inner.LoadAsync(accountIds, cancellationToken);

        public Task<int> SaveAsync(IReadOnlyList<FeatureCheckpoint> checkpoints, CancellationToken cancellationToken) =>
            Failing ? Task.FromException<int>(new IOException("store down")) : Inner.SaveAsync(checkpoints, cancellationToken);
    }
}
