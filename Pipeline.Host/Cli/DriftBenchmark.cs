using System.Diagnostics;
using System.Globalization;
using Pipeline.Models.Drift;

namespace Pipeline.Host.Cli;

/// <summary>
/// Measures single-thread update throughput and allocations of the drift detectors, for the
/// <c>bench</c> verb. Each case runs on a pre-generated, seeded stream with regime changes (so
/// detections and resets are part of the cost), first for a warm-up of a fifth of the budget
/// (JIT tiering, array growth), then for the budget itself. Allocations are measured with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> over the timed part only.
/// </summary>
public static class DriftBenchmark
{
    private const int StreamLength = 1 << 20;
    private const int Batch = 1 << 14;

    /// <summary>
    /// Runs every case for about <paramref name="budgetPerCase"/> each and writes one line per case
    /// to <paramref name="output"/>. Returns the measurements (name, updates per second, bytes
    /// allocated per update).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="budgetPerCase"/> is not positive.</exception>
    public static IReadOnlyList<(string Name, double OpsPerSecond, double BytesPerOp)> Run(TextWriter output, TimeSpan budgetPerCase)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(budgetPerCase, TimeSpan.Zero);

        var random = new Random(42);
        var values = new double[StreamLength];
        var bits = new bool[StreamLength];
        for (var i = 0; i < StreamLength; i++)
        {
            // Regimes of 50,000 items alternate between two means and two error rates.
            var regime = (i / 50_000) % 2;
            values[i] = regime * 2.0 + random.NextDouble();
            bits[i] = random.NextDouble() < (regime == 0 ? 0.1 : 0.3);
        }

        var cases = new (string Name, Func<Action<int, int>> Create)[]
        {
            ("adwin (clock 32)", () => AdwinCase(new AdwinOptions(), values)),
            ("adwin (clock 1)", () => AdwinCase(new AdwinOptions { Clock = 1 }, values)),
            ("ddm", () => DdmCase(bits)),
        };

        var results = new List<(string, double, double)>();
        foreach (var (name, create) in cases)
        {
            var run = create();
            Measure(run, budgetPerCase / 5);
            // On a loaded machine tiering can still be settling after the warm-up, and the runtime's one-off
            // allocations for it land on this thread (0.01 B per update in one CI run). Such a round is measured
            // again, as the model benchmark does: a steady round allocates nothing, a per-update allocation shows
            // in every round.
            var (ops, seconds, bytes) = Measure(run, budgetPerCase);
            for (var round = 1; bytes > 0 && round < MeasuringRounds; round++) (ops, seconds, bytes) = Measure(run, budgetPerCase);
            var opsPerSecond = ops / seconds;
            var bytesPerOp = (double)bytes / ops;
            results.Add((name, opsPerSecond, bytesPerOp));
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{name,-18} {opsPerSecond,15:N0} updates/s {bytesPerOp,8:0.000} B/update ({ops:N0} updates in {seconds:0.00} s)"));
        }

        return results;
    }

    private const int MeasuringRounds = 3;

    private static Action<int, int> AdwinCase(AdwinOptions options, double[] values)
    {
        var adwin = new Adwin(options);
        return (start, count) =>
        {
            for (var i = start; i < start + count; i++)
            {
                adwin.Update(values[i]);
            }
        };
    }

    private static Action<int, int> DdmCase(bool[] bits)
    {
        var ddm = new Ddm();
        return (start, count) =>
        {
            for (var i = start; i < start + count; i++)
            {
                ddm.Update(bits[i]);
            }
        };
    }

    private static (long Ops, double Seconds, long Bytes) Measure(Action<int, int> run, TimeSpan budget)
    {
        long ops = 0;
        var position = 0;
        var watch = new Stopwatch();
        var bytesBefore = GC.GetAllocatedBytesForCurrentThread();
        watch.Start();
        while (watch.Elapsed < budget)
        {
            run(position, Batch);
            ops += Batch;
            position = (position + Batch) % StreamLength;
        }

        watch.Stop();
        var bytes = GC.GetAllocatedBytesForCurrentThread() - bytesBefore;
        return (ops, watch.Elapsed.TotalSeconds, bytes);
    }
}
