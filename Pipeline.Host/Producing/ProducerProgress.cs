using Pipeline.Models.Synthetic;

namespace Pipeline.Host.Producing;

/// <summary>A progress snapshot of <see cref="SyntheticProducer"/>, reported at most once per progress interval.</summary>
/// <param name="Sent">Transactions handed to the Kafka client so far.</param>
/// <param name="Total">Transactions the scenario holds.</param>
/// <param name="LabelsSent">Labels handed to the Kafka client so far.</param>
/// <param name="Anomalies">Fraudulent transactions among <paramref name="Sent"/>.</param>
/// <param name="Phase">Phase of the latest transaction sent.</param>
/// <param name="RatePerSecond">Transactions per second since the previous report.</param>
/// <param name="Elapsed">Wall time since the run started.</param>
public sealed record ProducerProgress(
    long Sent,
    long Total,
    long LabelsSent,
    long Anomalies,
    GenerationPhase Phase,
    double RatePerSecond,
    TimeSpan Elapsed);
