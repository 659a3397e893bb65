namespace Pipeline.Host.Cli;

/// <summary>What one run of <see cref="WindowsBenchmark"/> measured (the fastest pass of each part).</summary>
/// <param name="Accounts">Distinct accounts in the generated traffic.</param>
/// <param name="EventsPerDay">Transactions per simulated day; a pass runs two days.</param>
/// <param name="Process"><c>AccountState.Process</c> alone on day two (every account active, after a full collection): events per second on one thread and bytes allocated per event.</param>
/// <param name="ProcessColdStart"><c>AccountState.Process</c> on day one (every account new).</param>
/// <param name="Flow">The account-window flow on day two, in-memory store, in an Akka stream from pre-built elements, after a full collection moved day one's accounts to the old generation.</param>
/// <param name="FlowYoung">The flow on day two without that collection: day two also pays for promoting the accounts day one created.</param>
/// <param name="FlowColdStart">The flow on day one (every account loaded from the store as a miss).</param>
/// <param name="FlowEmitted">Transactions the flow featurized over both days (twice <paramref name="EventsPerDay"/> when nothing was lost).</param>
/// <param name="FlowCheckpointed">Account states the flow wrote to the store over both days.</param>
/// <param name="StateBytesPerAccount">Managed heap held per account after two days of <see cref="Process"/>, state objects and their arrays included.</param>
public sealed record WindowsBenchmarkResult(
    int Accounts,
    int EventsPerDay,
    BenchmarkFigure Process,
    BenchmarkFigure ProcessColdStart,
    BenchmarkFigure Flow,
    BenchmarkFigure FlowYoung,
    BenchmarkFigure FlowColdStart,
    long FlowEmitted,
    long FlowCheckpointed,
    double StateBytesPerAccount);
