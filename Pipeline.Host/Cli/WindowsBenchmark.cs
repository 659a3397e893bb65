using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Kafka;
using Pipeline.Graph.Kafka.Internal;
using Pipeline.Graph.Windows;
using Pipeline.Models.Domain;
using Pipeline.Models.Features;
using Prometheus;

namespace Pipeline.Host.Cli;

/// <summary>
/// <c>bench --windows</c>: the account-window budgets of DESIGN §4 measured in one run on one
/// thread — <see cref="AccountState.Process"/> alone, then the whole <see cref="AccountWindowsFlow"/>
/// (loads, checkpoints to an <see cref="InMemoryFeatureStateStore"/>, output gate) in an Akka
/// stream from pre-built elements into <c>Sink.Ignore</c>, the bytes allocated per event, and the
/// managed memory held per account. The traffic is one simulated day of seeded, Poisson-like
/// transactions spread uniformly over the accounts, in event-time order except for 2 % of events
/// up to 20 s late (inside the default 30 s lateness). Each measured pass starts from empty state
/// and follows a warm-up of at least 400 ms on separate state, so JIT tiering is excluded.
/// </summary>
public static class WindowsBenchmark
{
    /// <summary>The issue's throughput target for the window flow on one core.</summary>
    public const double TargetEventsPerSecond = 1_000_000;

    /// <summary>The issue's memory budget per active account.</summary>
    public const double StateBudgetBytes = 1024;

    private const int Partitions = 16;
    private const string Topic = "bench-transactions";
    private static readonly TimeSpan MinimumWarmUp = TimeSpan.FromMilliseconds(400);
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Runs both measurements and writes one line per figure to <paramref name="output"/>.</summary>
    /// <param name="output">Receives the human-readable figures.</param>
    /// <param name="system">Runs the flow (its default dispatcher; the fused stream occupies one thread at a time).</param>
    /// <param name="settings">Window settings (the reference defaults for the issue's figures); the store kind is ignored.</param>
    /// <param name="accounts">Distinct accounts (100,000 for the issue's figures).</param>
    /// <param name="events">Transactions per measured pass.</param>
    /// <param name="passes">Measured passes of each part, each from empty state; the fastest is reported (a shared machine slows some passes down).</param>
    /// <param name="cancellationToken">Stops waiting for the flow.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="accounts"/> or <paramref name="events"/> is not positive.</exception>
    public static async Task<WindowsBenchmarkResult> RunAsync(
        TextWriter output, ActorSystem system, WindowSettings settings, int accounts, int events, int passes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(accounts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(events, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(passes, 1);

        var options = settings.ToFeatureOptions();
        var traffic = Traffic.Generate(accounts, events, seed: 11);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"windows benchmark: {accounts:N0} accounts, {events:N0} transactions over one simulated day ({events / (double)accounts:0.#} per account), windows [{string.Join(", ", options.Windows.Select(AccountFeatureOptions.Label))}], one thread, warm-up excluded, best of {passes} passes"));

        var (process, processCpuRate, stateBytes) = MeasureProcess(traffic, options, accounts, passes);
        var (flow, flowCpuRate, emitted, checkpointed) = await MeasureFlowAsync(traffic, system, settings, passes, cancellationToken).ConfigureAwait(false);

        var ci = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(ci, $"AccountState.Process      : {process.OpsPerSecond,12:N0} events/s ({processCpuRate:N0} per CPU-second), {process.BytesAllocatedPerOp,7:0.0} B allocated/event"));
        output.WriteLine(string.Create(ci, $"AccountWindowsFlow        : {flow.OpsPerSecond,12:N0} events/s ({flowCpuRate:N0} per CPU-second), {flow.BytesAllocatedPerOp,7:0.0} B allocated/event ({emitted:N0} featurized, {checkpointed:N0} account checkpoints, in-memory store, Sink.Ignore)"));
        output.WriteLine(string.Create(ci, $"state per account         : {stateBytes,12:N0} B at {accounts:N0} accounts (budget {StateBudgetBytes:N0} B: {(stateBytes <= StateBudgetBytes ? "met" : "NOT met")})"));
        output.WriteLine(string.Create(ci, $"ratio to {TargetEventsPerSecond:N0} events/s : Process {process.OpsPerSecond / TargetEventsPerSecond:0.00}x, flow {flow.OpsPerSecond / TargetEventsPerSecond:0.00}x ({(flow.OpsPerSecond >= TargetEventsPerSecond ? "met" : "NOT met")})"));
        return new WindowsBenchmarkResult(accounts, events, process, flow, emitted, checkpointed, stateBytes);
    }

    private static (BenchmarkFigure Figure, double CpuRate, double StateBytesPerAccount) MeasureProcess(Traffic traffic, AccountFeatureOptions options, int accounts, int passes)
    {
        var warmUp = Stopwatch.StartNew();
        var sink = 0.0;
        do
        {
            sink += ProcessAll(traffic, new AccountState?[accounts], options, Math.Min(traffic.Events, 200_000));
        }
        while (warmUp.Elapsed < MinimumWarmUp);

        var best = (Figure: new BenchmarkFigure("AccountState.Process", 0, 0), CpuRate: 0.0);
        var stateBytes = 0.0;
        for (var pass = 0; pass < passes; pass++)
        {
            var states = new AccountState?[accounts];
            var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var started = Stopwatch.GetTimestamp();
            sink += ProcessAll(traffic, states, options, traffic.Events);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            if (pass == 0)
            {
                stateBytes = (GC.GetTotalMemory(forceFullCollection: true) - heapBefore) / (double)accounts;
            }

            GC.KeepAlive(states);
            if (traffic.Events / seconds > best.Figure.OpsPerSecond)
            {
                best = (new BenchmarkFigure("AccountState.Process", traffic.Events / seconds, (double)allocated / traffic.Events), traffic.Events / Math.Max(cpu, 1e-9));
            }
        }

        GC.KeepAlive(sink);
        return (best.Figure, best.CpuRate, stateBytes);
    }

    private static double ProcessAll(Traffic traffic, AccountState?[] states, AccountFeatureOptions options, int count)
    {
        var sink = 0.0;
        for (var i = 0; i < count; i++)
        {
            ref var state = ref states[traffic.Account[i]];
            state ??= new AccountState(options);
            sink += state.Process(traffic.Transactions[i], traffic.Positions[i]).Windows[0].Count;
        }

        return sink;
    }

    private static async Task<(BenchmarkFigure Figure, double CpuRate, long Emitted, long Checkpointed)> MeasureFlowAsync(
        Traffic traffic, ActorSystem system, WindowSettings settings, int passes, CancellationToken cancellationToken)
    {
        var consumer = new DetachedConsumer();
        var partitions = Enumerable.Range(0, Partitions).Select(p => new TopicPartition(Topic, p)).ToArray();
        var elements = new PipelineElement[traffic.Events];
        for (var i = 0; i < elements.Length; i++)
        {
            var position = traffic.Positions[i];
            elements[i] = new AcceptedTransaction(new CommittableOffset(consumer, partitions[position.Partition], position.Offset, 1), Start, traffic.Transactions[i]);
        }

        var materializer = system.Materializer(namePrefix: "windows-bench");
        var warmUpElements = elements.Take(Math.Min(elements.Length, 100_000)).ToArray();
        var warmUp = Stopwatch.StartNew();
        do
        {
            await RunFlowAsync(warmUpElements, settings, materializer, system.Log, cancellationToken).ConfigureAwait(false);
        }
        while (warmUp.Elapsed < MinimumWarmUp);

        var best = (Figure: new BenchmarkFigure("AccountWindowsFlow", 0, 0), CpuRate: 0.0, Emitted: 0L, Checkpointed: 0L);
        for (var pass = 0; pass < passes; pass++)
        {
            GC.Collect();
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var started = Stopwatch.GetTimestamp();
            var metrics = await RunFlowAsync(elements, settings, materializer, system.Log, cancellationToken).ConfigureAwait(false);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            if (elements.Length / seconds > best.Figure.OpsPerSecond)
            {
                best = (new BenchmarkFigure("AccountWindowsFlow", elements.Length / seconds, (double)allocated / elements.Length), elements.Length / Math.Max(cpu, 1e-9), (long)metrics.Featurized, (long)metrics.Checkpointed);
            }
        }

        GC.KeepAlive(elements);
        return best;
    }

    private static async Task<WindowsMetrics> RunFlowAsync(PipelineElement[] elements, WindowSettings settings, IMaterializer materializer, ILoggingAdapter log, CancellationToken cancellationToken)
    {
        var metrics = new WindowsMetrics(Metrics.NewCustomRegistry());
        var store = new InMemoryFeatureStateStore(settings.MemoryTtl, TimeProvider.System);
        var flow = AccountWindowsFlow.Create(settings, store, TimeProvider.System, metrics, log);
        await Source.From(elements).Via(flow).RunWith(Sink.Ignore<PipelineElement>(), materializer).WaitAsync(cancellationToken).ConfigureAwait(false);
        return metrics;
    }

    /// <summary>Offsets for pre-built elements: the window flow never commits, so nothing is sent anywhere.</summary>
    private sealed class DetachedConsumer : IConsumerHost
    {
        public string GroupId => "windows-bench";

        public Task Commit(IReadOnlyList<OffsetToCommit> offsets, string trigger) => Task.CompletedTask;
    }

    /// <summary>The generated day of traffic, as parallel arrays so the measured loops only index.</summary>
    private sealed class Traffic
    {
        private Traffic(int events)
        {
            Events = events;
            Account = new int[events];
            Transactions = new Transaction[events];
            Positions = new RecordPosition[events];
        }

        public int Events { get; }

        public int[] Account { get; }

        public Transaction[] Transactions { get; }

        public RecordPosition[] Positions { get; }

        public static Traffic Generate(int accounts, int events, int seed)
        {
            var random = new Random(seed);
            var ids = Enumerable.Range(0, accounts).Select(i => "acct-" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
            var merchants = Enumerable.Range(0, 500).Select(i => "merchant-" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
            string[] countries = ["DE", "FR", "NL", "AT", "PL", "US"];
            string[] devices = ["dev-1", "dev-2", "dev-3"];
            var offsets = new long[Partitions];
            var traffic = new Traffic(events);
            const double dayMs = 86_400_000.0;
            for (var i = 0; i < events; i++)
            {
                var account = random.Next(accounts);
                var ms = (long)(i * (dayMs / events));
                if (random.Next(50) == 0) ms -= random.Next(20_000);
                var partition = account % Partitions;
                traffic.Account[i] = account;
                traffic.Positions[i] = new RecordPosition(Topic, partition, offsets[partition]++);
                traffic.Transactions[i] = new Transaction
                {
                    TransactionId = "t",
                    AccountId = ids[account],
                    Timestamp = Start.AddMilliseconds(ms),
                    Amount = Math.Round(5 + (random.NextDouble() * random.NextDouble() * 400), 2),
                    Currency = "EUR",
                    MerchantId = merchants[random.Next(merchants.Length)],
                    MerchantCategory = "grocery",
                    Channel = "online",
                    Country = random.Next(20) == 0 ? countries[random.Next(countries.Length)] : countries[0],
                    DeviceId = random.Next(10) == 0 ? devices[random.Next(devices.Length)] : devices[account % 2],
                };
            }

            return traffic;
        }
    }
}
