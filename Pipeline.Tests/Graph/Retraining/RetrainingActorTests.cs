using Akka.Actor;
using Akka.Pattern;
using Akka.Streams;
using Akka.Streams.Dsl;
using Pipeline.Graph.Assembly;
using Pipeline.Graph.Ingest;
using Pipeline.Graph.Retraining;
using Pipeline.Models.Domain;
using Pipeline.Models.Features;
using Pipeline.Models.Lifecycle;
using Prometheus;
using Xunit;
using Xunit.Abstractions;
using static Pipeline.Graph.Retraining.RetrainingProtocol;

namespace Pipeline.Tests.Graph.Retraining;

public sealed class RetrainingActorTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    [Fact]
    public async Task Retraining_actor_should_train_a_candidate_that_learned_the_recent_sample()
    {
        var featured = LifecycleTestKit.Featurized(LifecycleTestKit.Generate(seed: 31, normal: 800, drift: 0, attack: 0));
        var sample = new TrainingSample(300);
        foreach (var f in featured) sample.Add(f.Transaction, f.Features);
        var active = LifecycleTestKit.TrainedBytes(200);
        var actor = Sys.ActorOf(RetrainingActor.SupervisedProps(LifecycleTestKit.Settings(), sample, LifecycleTestKit.ModelConfiguration));

        actor.Tell(new TrainCandidate(1, active, "drift", TestActor));
        var ready = await ExpectMsgAsync<CandidateReady>(LifecycleTestKit.Deadline);

        Assert.Equal(300, ready.SampleSize);
        Assert.Equal(500, ready.LearnCount);
        Assert.Equal(500, LifecycleTestKit.Read(ready.Model).LearnCount);
    }

    [Fact]
    public async Task Backoff_supervisor_should_restart_the_retraining_actor_after_a_crash_and_a_hang_while_a_stream_keeps_flowing()
    {
        var featured = LifecycleTestKit.Featurized(LifecycleTestKit.Generate(seed: 32, normal: 3000, drift: 0, attack: 0));
        var sample = new TrainingSample(200);
        using var release = new ManualResetEventSlim(false);
        var calls = 0;
        byte[] Train(IReadOnlyList<(Transaction, AccountFeatures)> s, byte[] model, CancellationToken ct)
        {
            switch (Interlocked.Increment(ref calls))
            {
                case 1:
                    throw new InvalidOperationException("corrupt sample");
                case 2:
                    // A hang that ignores cancellation: only the timeout gets the actor out of it.
                    release.Wait(LifecycleTestKit.Deadline);
                    return model;
                default:
                    return CandidateTrainer.Train(model, LifecycleTestKit.ModelConfiguration, s, ct);
            }
        }

        var settings = LifecycleTestKit.Settings("training-timeout = 300ms, backoff { min = 50ms, max = 200ms, random-factor = 0.2 }");
        var supervisor = Sys.ActorOf(RetrainingActor.SupervisedProps(settings, sample, LifecycleTestKit.ModelConfiguration, Train));
        var flow = ModelSwapFlow.Create(LifecycleTestKit.NewScorer(), 1, settings, sample, new LifecycleTestKit.RecordingListener(),
            new PipelineMetrics(new CollectorRegistry()), new LifecycleMetrics(new CollectorRegistry()));
        var stream = Source.From(featured.Cast<PipelineElement>()).Via(flow).RunWith(Sink.Seq<PipelineElement>(), Sys.Materializer());
        var firstChild = (await supervisor.Ask<BackoffSupervisor.CurrentChild>(BackoffSupervisor.GetCurrentChild.Instance, LifecycleTestKit.Deadline)).Ref;
        var active = LifecycleTestKit.TrainedBytes(100);

        supervisor.Tell(new TrainCandidate(1, active, "drift", TestActor));
        var crashed = await ExpectMsgAsync<TrainingFailed>(LifecycleTestKit.Deadline);
        var hung = await RetryAsync(supervisor, active, "retry after crash");
        var ready = await RetryAsync(supervisor, active, "retry after hang");
        var lastChild = (await supervisor.Ask<BackoffSupervisor.CurrentChild>(BackoffSupervisor.GetCurrentChild.Instance, LifecycleTestKit.Deadline)).Ref;
        release.Set();
        var rows = await stream.WaitAsync(LifecycleTestKit.Deadline);

        Assert.Contains("corrupt sample", crashed.Error);
        Assert.Contains("did not finish", Assert.IsType<TrainingFailed>(hung).Error);
        Assert.IsType<CandidateReady>(ready);
        Assert.NotEqual(firstChild, lastChild);
        Assert.Equal(3, calls);
        Assert.Equal(featured.Count, rows.Count);
    }

    // While the child is stopped between restarts the supervisor drops messages, so a command is
    // re-sent until the restarted child answers.
    private async Task<object> RetryAsync(IActorRef supervisor, byte[] active, string reason)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            supervisor.Tell(new TrainCandidate(1, active, reason, TestActor));
            var reply = await ReceiveOneAsync(TimeSpan.FromSeconds(1));
            if (reply is not null) return reply;
        }

        throw new TimeoutException("the retraining actor was never restarted");
    }
}
