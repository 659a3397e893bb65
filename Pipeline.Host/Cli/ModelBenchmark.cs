using System.Diagnostics;
using System.Globalization;
using Pipeline.Models.Anomaly;

namespace Pipeline.Host.Cli;

/// <summary>
/// Micro-benchmarks of the online models, for the <c>bench</c> verb and for regression checks.
/// Each case runs single-threaded on pre-generated inputs, warms up first so the JIT has tiered
/// up, then measures for a fixed wall-clock budget.
/// </summary>
public static class ModelBenchmark
{
    /// <summary>Features per benchmark vector, about the size of the pipeline's account feature set.</summary>
    public const int FeatureCount = 10;

    private const int VectorCount = 8192;
    private const int Batch = 1024;

    /// <summary>Shortest warm-up: longer than the runtime's tiered-compilation delay (100 ms).</summary>
    private static readonly TimeSpan MinimumWarmUp = TimeSpan.FromMilliseconds(400);

    /// <summary>
    /// Measures Half-Space Trees score+learn throughput (one op = <c>ScoreOne</c> then
    /// <c>LearnOne</c> on the dense path, uniform random vectors of <see cref="FeatureCount"/>
    /// features) at 10×8 and 25×15 trees×height, window 250, and the bytes allocated per op.
    /// Writes one line per case to <paramref name="output"/>.
    /// </summary>
    /// <param name="output">Receives a human-readable line per case.</param>
    /// <param name="budgetPerCase">Measuring time per case (up to three times when a round saw tiering still allocating); warm-up adds a fifth of it, at least 400 ms.</param>
    public static IReadOnlyList<BenchmarkFigure> RunHst(TextWriter output, TimeSpan budgetPerCase)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (budgetPerCase <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(budgetPerCase), budgetPerCase, "the budget per case must be positive");
        }

        var vectors = GenerateVectors(seed: 20240601);
        var figures = new List<BenchmarkFigure>
        {
            MeasureHst(vectors, trees: 10, height: 8, window: 250, budgetPerCase),
            MeasureHst(vectors, trees: 25, height: 15, window: 250, budgetPerCase),
        };
        foreach (var f in figures)
        {
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{f.Name}: {f.OpsPerSecond,12:N0} score+learn/s, {f.BytesAllocatedPerOp:0.###} B allocated/op"));
        }

        return figures;
    }

    private static double[] GenerateVectors(int seed)
    {
        var rng = new Random(seed);
        var data = new double[VectorCount * FeatureCount];
        for (var i = 0; i < data.Length; i++) data[i] = rng.NextDouble();
        return data;
    }

    private static BenchmarkFigure MeasureHst(double[] vectors, int trees, int height, int window, TimeSpan budget)
    {
        var model = new HalfSpaceTrees(new HalfSpaceTreesOptions
        {
            Trees = trees,
            Height = height,
            WindowSize = window,
            Seed = 42,
            Features = Enumerable.Range(0, FeatureCount).Select(i => $"f{i}").ToArray(),
        });

        // Warm-up and measurement run the same method, so tiering (OSR, tier-1 promotion after
        // the runtime's call-counting delay) finishes before measuring and never shows up as
        // allocations or slow batches in the figures.
        var next = 0;
        var sink = 0.0;
        var warmUp = Stopwatch.StartNew();
        long warmOps = 0;
        while (warmUp.Elapsed < WarmUp(budget) || warmOps < 3L * window)
        {
            sink += RunBatch(model, vectors, ref next);
            warmOps += Batch;
        }

        // On a loaded machine tiering can still be settling after the warm-up, and the runtime's one-off
        // allocations for it land on this thread. Such a round is measured again (at most twice more): a
        // steady round allocates nothing, while a per-operation allocation shows in every round.
        BenchmarkFigure figure;
        var round = 0;
        do
        {
            long ops = 0;
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var start = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(start) < budget)
            {
                sink += RunBatch(model, vectors, ref next);
                ops += Batch;
            }

            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            figure = new BenchmarkFigure($"hst {trees}x{height}x{window}", ops / seconds, (double)allocated / ops);
        }
        while (figure.BytesAllocatedPerOp > 0 && ++round < MeasuringRounds);

        GC.KeepAlive(sink);
        return figure;
    }

    private const int MeasuringRounds = 3;

    private static TimeSpan WarmUp(TimeSpan budget) =>
        budget / 5 > MinimumWarmUp ? budget / 5 : MinimumWarmUp;

    private static double RunBatch(HalfSpaceTrees model, double[] vectors, ref int next)
    {
        var sum = 0.0;
        for (var b = 0; b < Batch; b++)
        {
            var x = new ReadOnlySpan<double>(vectors, next * FeatureCount, FeatureCount);
            sum += model.ScoreOne(x);
            model.LearnOne(x);
            next = next + 1 == VectorCount ? 0 : next + 1;
        }

        return sum;
    }
}
