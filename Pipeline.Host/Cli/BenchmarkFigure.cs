namespace Pipeline.Host.Cli;

/// <summary>One measured benchmark case.</summary>
/// <param name="Name">Case name, e.g. <c>hst 10x8x250</c>.</param>
/// <param name="OpsPerSecond">Operations per second on one thread over the measured period.</param>
/// <param name="BytesAllocatedPerOp">Managed bytes allocated per operation on the measuring thread.</param>
public sealed record BenchmarkFigure(string Name, double OpsPerSecond, double BytesAllocatedPerOp);
