using System.Diagnostics;
using Confluent.Kafka;
using Pipeline.Models.Domain;
using Pipeline.Models.Synthetic;

namespace Pipeline.Tests.Infrastructure;

/// <summary>
/// Produces synthetic transactions into a topic at a steady offered rate on its own thread, stamping each
/// with the wall-clock time it is produced as its event time, so "event → effect" latencies can be read off
/// the stored rows and posts. The sequence is the seeded <see cref="TransactionGenerator"/> scenario; only the
/// timestamps are rebased. Keeps to the schedule (rate × elapsed) rather than to a fixed sleep, so a late
/// tick catches up instead of lowering the rate.
/// </summary>
/// <remarks>
/// The linger scales with the rate so each produce request carries several records per partition, as a real
/// producer's batches do under load. The mock broker stores every request as one message set, finds a fetch
/// offset by walking its partition's list of sets from the oldest, and answers each fetch with one set. One-record
/// sets at a low rate therefore make a lagging consumer pay a walk over up to 5 MB of sets for each record it
/// fetches: once behind, it cannot catch up while the producer runs, and the broker thread takes most of a core.
/// </remarks>
public sealed class PacedProducer : IDisposable
{
    private readonly IProducer<string, byte[]> _producer;
    private readonly IEnumerator<GeneratedTransaction> _source;
    private readonly string _topic;
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _watch = new();
    private readonly double _rate;
    private long _produced;
    private long _failed;
    private Exception? _error;

    private PacedProducer(string bootstrap, string topic, double rate, GeneratorOptions scenario)
    {
        _topic = topic;
        _rate = rate;
        _source = TransactionGenerator.Generate(scenario).GetEnumerator();
        _producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            LingerMs = LingerFor(rate),
            Acks = Acks.All,
            EnableIdempotence = true,
        }).SetLogHandler((_, _) => { }).Build();
        _thread = new Thread(Run) { IsBackground = true, Name = "paced-producer" };
    }

    /// <summary>Records handed to the producer so far.</summary>
    public long Produced => Interlocked.Read(ref _produced);

    /// <summary>Records the broker refused (should stay 0).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Starts producing <paramref name="scenario"/> at <paramref name="rate"/> records per second.</summary>
    public static PacedProducer Start(string bootstrap, string topic, double rate, GeneratorOptions scenario)
    {
        var producer = new PacedProducer(bootstrap, topic, rate, scenario);
        producer._watch.Start();
        producer._thread.Start();
        return producer;
    }

    /// <summary>Stops producing, flushes what was handed over, and rethrows a failure of the producing thread.</summary>
    public void Stop()
    {
        _stop.Cancel();
        _thread.Join();
        _producer.Flush(TimeSpan.FromSeconds(30));
        if (_error is not null) throw new InvalidOperationException("the paced producer failed", _error);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_stop.IsCancellationRequested) _stop.Cancel();
        if (_thread.IsAlive) _thread.Join();
        _producer.Dispose();
        _stop.Dispose();
        _source.Dispose();
    }

    private void Run()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var due = (long)(_watch.Elapsed.TotalSeconds * _rate);
                while (Produced < due && !_stop.IsCancellationRequested && _source.MoveNext())
                {
                    var transaction = _source.Current.Transaction with { Timestamp = TruncateToMillisecond(DateTimeOffset.UtcNow) };
                    Send(new Message<string, byte[]> { Key = transaction.AccountId, Value = TransactionJson.Serialize(transaction) });
                    Interlocked.Increment(ref _produced);
                }

                _producer.Poll(TimeSpan.Zero);
                _stop.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(2));
            }
        }
        catch (Exception ex)
        {
            _error = ex;
        }
    }

    private void Send(Message<string, byte[]> message)
    {
        while (true)
        {
            try
            {
                _producer.Produce(_topic, message, report =>
                {
                    if (report.Error.IsError) Interlocked.Increment(ref _failed);
                });
                return;
            }
            catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                _producer.Poll(TimeSpan.FromMilliseconds(5));
            }
        }
    }

    // About eight records per partition of the default four in each request, within [2, 50] ms.
    private static double LingerFor(double rate) => Math.Clamp(Math.Round(32_000 / rate), 2, 50);

    private static DateTimeOffset TruncateToMillisecond(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
}
