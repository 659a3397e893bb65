namespace Pipeline.Host.Cli;

/// <summary>What one run of <see cref="WindowsBenchmark"/> measured.</summary>
/// <param name="Accounts">Distinct accounts in the generated traffic.</param>
/// <param name="Events">Transactions per measured pass.</param>
/// <param name="Process"><c>AccountState.Process</c> alone: events per second on one thread and bytes allocated per event.</param>
/// <param name="Flow">The account-window flow with the in-memory store, in an Akka stream into <c>Sink.Ignore</c>.</param>
/// <param name="FlowEmitted">Transactions the flow featurized (equals <paramref name="Events"/> when nothing was lost).</param>
/// <param name="FlowCheckpointed">Account states the flow wrote to the store.</param>
/// <param name="StateBytesPerAccount">Managed heap held per account after the <see cref="Process"/> pass, state objects and their arrays included.</param>
public sealed record WindowsBenchmarkResult(
    int Accounts,
    int Events,
    BenchmarkFigure Process,
    BenchmarkFigure Flow,
    long FlowEmitted,
    long FlowCheckpointed,
    double StateBytesPerAccount);
