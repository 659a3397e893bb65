namespace Pipeline.Host.Hosting;

/// <summary>
/// Work that runs beside the graph for the host's lifetime (the embedded synthetic producer).
/// It is started after the graph and cancelled before the graph drains.
/// </summary>
public interface IPipelineCompanion
{
    /// <summary>Runs until <paramref name="stopping"/> is cancelled or the work is done.</summary>
    Task RunAsync(PipelineRuntime runtime, CancellationToken stopping);
}
