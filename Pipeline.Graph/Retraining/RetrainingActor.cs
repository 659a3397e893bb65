using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Pipeline.Models.Anomaly;
using Pipeline.Models.Lifecycle;
using static Pipeline.Graph.Retraining.RetrainingProtocol;

namespace Pipeline.Graph.Retraining;

/// <summary>
/// Trains candidates on the recent sample kept by the scoring stage, on the thread pool (never on
/// the stream's threads), one at a time, within <see cref="LifecycleSettings.TrainingTimeout"/>.
/// A failed or timed-out training answers <see cref="TrainingFailed"/> and then crashes the actor,
/// so its backoff supervisor (<see cref="SupervisedProps"/>) restarts it after an exponential,
/// jittered, capped delay. Ingestion never waits on it.
/// </summary>
public sealed class RetrainingActor : ReceiveActor
{
    private readonly TrainingSample _sample;
    private readonly TransactionModelConfiguration _configuration;
    private readonly TimeSpan _timeout;
    private readonly Func<IReadOnlyList<(Pipeline.Models.Domain.Transaction, Pipeline.Models.Features.AccountFeatures)>, byte[], CancellationToken, byte[]> _train;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private TrainCandidate? _current;

    /// <summary>Use <see cref="Props"/> or <see cref="SupervisedProps"/>; public for Props.Create.</summary>
    public RetrainingActor(
        TrainingSample sample,
        TransactionModelConfiguration configuration,
        TimeSpan timeout,
        Func<IReadOnlyList<(Pipeline.Models.Domain.Transaction, Pipeline.Models.Features.AccountFeatures)>, byte[], CancellationToken, byte[]>? train)
    {
        _sample = sample;
        _configuration = configuration;
        _timeout = timeout;
        _train = train ?? ((s, model, ct) => CandidateTrainer.Train(model, _configuration, s, ct));

        Receive<TrainCandidate>(OnTrain);
        Receive<Trained>(OnTrained);
    }

    /// <summary>
    /// Props of the bare actor. <paramref name="train"/> replaces <see cref="CandidateTrainer.Train"/>
    /// (tests inject failures and hangs); it receives the sample, the base model bytes and a token
    /// cancelled at the timeout.
    /// </summary>
    public static Props Props(
        TrainingSample sample,
        TransactionModelConfiguration configuration,
        TimeSpan timeout,
        Func<IReadOnlyList<(Pipeline.Models.Domain.Transaction, Pipeline.Models.Features.AccountFeatures)>, byte[], CancellationToken, byte[]>? train = null) =>
        Akka.Actor.Props.Create(() => new RetrainingActor(sample, configuration, timeout, train));

    /// <summary>
    /// The actor under a <see cref="BackoffSupervisor"/> that restarts it on failure (exponential
    /// from <see cref="LifecycleSettings.BackoffMin"/> to <see cref="LifecycleSettings.BackoffMax"/>
    /// with <see cref="LifecycleSettings.BackoffRandomFactor"/> jitter). Send commands to the supervisor.
    /// </summary>
    public static Props SupervisedProps(LifecycleSettings settings, TrainingSample sample, TransactionModelConfiguration configuration,
        Func<IReadOnlyList<(Pipeline.Models.Domain.Transaction, Pipeline.Models.Features.AccountFeatures)>, byte[], CancellationToken, byte[]>? train = null) =>
        BackoffSupervisor.Props(
            Backoff.OnFailure(
                    Props(sample, configuration, settings.TrainingTimeout, train),
                    "retraining",
                    settings.BackoffMin,
                    settings.BackoffMax,
                    settings.BackoffRandomFactor,
                    -1)
                .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Restart)));

    private void OnTrain(TrainCandidate cmd)
    {
        if (_current is not null)
        {
            cmd.ReplyTo.Tell(new TrainingFailed(cmd.BaseVersion, cmd.Reason, $"busy training from version {_current.BaseVersion}"));
            return;
        }

        _current = cmd;
        var sample = _sample.Snapshot();
        var timeout = _timeout;
        var train = _train;
        _log.Info("Training a candidate from version {BaseVersion} on {SampleSize} recent transactions ({Reason})", cmd.BaseVersion, sample.Count, cmd.Reason);
        RunTraining(train, sample, cmd.BaseModel, timeout).PipeTo(Self, success: r => r, failure: ex => new Trained(null, ex, sample.Count));
    }

    private static async Task<Trained> RunTraining(
        Func<IReadOnlyList<(Pipeline.Models.Domain.Transaction, Pipeline.Models.Features.AccountFeatures)>, byte[], CancellationToken, byte[]> train,
        IReadOnlyList<(Pipeline.Models.Domain.Transaction, Pipeline.Models.Features.AccountFeatures)> sample,
        byte[] model,
        TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var work = Task.Run(() => train(sample, model, cts.Token), cts.Token);
        try
        {
            var bytes = await work.WaitAsync(timeout).ConfigureAwait(false);
            return new Trained(bytes, null, sample.Count);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"training did not finish within {timeout}");
        }
    }

    private void OnTrained(Trained result)
    {
        var cmd = _current!;
        _current = null;
        if (result.Model is null)
        {
            var error = result.Error is OperationCanceledException ? new TimeoutException($"training did not finish within {_timeout}") : result.Error!;
            cmd.ReplyTo.Tell(new TrainingFailed(cmd.BaseVersion, cmd.Reason, error.Message));
            throw new RetrainingFailedException($"training from version {cmd.BaseVersion} failed: {error.Message}", error);
        }

        long learnCount;
        using (var input = new MemoryStream(result.Model, writable: false))
        {
            learnCount = TransactionAnomalyModel.ReadFrom(input, _configuration).LearnCount;
        }

        cmd.ReplyTo.Tell(new CandidateReady(cmd.BaseVersion, cmd.Reason, result.Model, learnCount, result.SampleSize));
    }

    private sealed record Trained(byte[]? Model, Exception? Error, int SampleSize);
}
