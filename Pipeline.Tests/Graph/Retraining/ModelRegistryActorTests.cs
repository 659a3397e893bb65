using Akka.Actor;
using Akka.TestKit;
using Pipeline.Graph.Retraining;
using Pipeline.Models.Lifecycle;
using Xunit;
using Xunit.Abstractions;
using static Pipeline.Graph.Retraining.ModelRegistryProtocol;

namespace Pipeline.Tests.Graph.Retraining;

public sealed class ModelRegistryActorTests(ITestOutputHelper output) : SqliteJournalTestKit(output)
{
    [Fact]
    public async Task Registry_should_answer_the_same_active_version_and_model_bytes_when_restarted_on_the_same_sqlite_file()
    {
        var settings = LifecycleTestKit.Settings("snapshot-every-events = 3");
        var retrainer = CreateTestProbe();
        var registry = Sys.ActorOf(ModelRegistryActor.Props(settings, retrainer.Ref));
        await PromoteCandidateAsync(registry, retrainer, LifecycleTestKit.TrainedBytes(100), LifecycleTestKit.TrainedBytes(300));
        var checkpoint = LifecycleTestKit.TrainedBytes(400);
        Assert.IsType<CheckpointAccepted>(await registry.Ask<object>(new Checkpoint(2, checkpoint, 400), LifecycleTestKit.Deadline));
        var before = await registry.Ask<History>(GetHistory.Instance, LifecycleTestKit.Deadline);
        await Sys.Terminate();

        using var second = ActorSystem.Create("restarted", LifecycleTestKit.SqliteSystem(Db));
        try
        {
            var recovered = second.ActorOf(ModelRegistryActor.Props(settings, second.DeadLetters));
            var active = await recovered.Ask<ActiveModel>(GetActive.Instance, LifecycleTestKit.Deadline);
            var history = await recovered.Ask<History>(GetHistory.Instance, LifecycleTestKit.Deadline);

            Assert.Equal(2, active.Version);
            Assert.Equal(checkpoint, active.Model);
            Assert.Equal(400, active.Info.LearnCount);
            Assert.Equal(before.Versions, history.Versions);
            Assert.Equal(400, LifecycleTestKit.Read(active.Model).LearnCount);
        }
        finally
        {
            await second.Terminate();
        }
    }

    [Fact]
    public async Task Checkpoint_should_be_refused_when_its_base_version_is_no_longer_active()
    {
        var retrainer = CreateTestProbe();
        var registry = Sys.ActorOf(ModelRegistryActor.Props(LifecycleTestKit.Settings(), retrainer.Ref));
        var candidate = LifecycleTestKit.TrainedBytes(300);
        await PromoteCandidateAsync(registry, retrainer, LifecycleTestKit.TrainedBytes(100), candidate);

        var stale = await registry.Ask<object>(new Checkpoint(1, LifecycleTestKit.TrainedBytes(150), 150), LifecycleTestKit.Deadline);
        var active = await registry.Ask<ActiveModel>(GetActive.Instance, LifecycleTestKit.Deadline);

        Assert.Contains("active version is 2", Assert.IsType<Refused>(stale).Reason);
        Assert.Equal(2, active.Version);
        Assert.Equal(candidate, active.Model);
    }

    [Fact]
    public async Task Registry_should_issue_increasing_versions_and_keep_one_active_when_candidates_are_promoted_rejected_and_rolled_back()
    {
        var retrainer = CreateTestProbe();
        var registry = Sys.ActorOf(ModelRegistryActor.Props(LifecycleTestKit.Settings(), retrainer.Ref));
        var first = LifecycleTestKit.TrainedBytes(100);
        await PromoteCandidateAsync(registry, retrainer, first, LifecycleTestKit.TrainedBytes(200));
        await TrainCandidateAsync(registry, retrainer, LifecycleTestKit.TrainedBytes(250), "second drift");
        registry.Tell(new SubmitEvaluation(3, Evaluation(promote: false)));
        var rolledBack = await registry.Ask<ActiveModel>(new Rollback(1), LifecycleTestKit.Deadline);
        var history = (await registry.Ask<History>(GetHistory.Instance, LifecycleTestKit.Deadline)).Versions;

        Assert.Equal([1L, 2L, 3L, 4L], history.Select(v => v.Version));
        Assert.Equal([ModelStatus.Retired, ModelStatus.Retired, ModelStatus.Rejected, ModelStatus.Active], history.Select(v => v.Status));
        Assert.Equal(4, rolledBack.Version);
        Assert.Equal(first, rolledBack.Model);
        Assert.Equal("rollback to 1", history[3].Trigger);
        Assert.False(history[2].Evaluation!.Promote);
    }

    [Fact]
    public async Task Registry_should_refuse_promoting_an_older_version_and_a_second_retrain_while_one_is_pending()
    {
        var retrainer = CreateTestProbe();
        var registry = Sys.ActorOf(ModelRegistryActor.Props(LifecycleTestKit.Settings(), retrainer.Ref));
        await PromoteCandidateAsync(registry, retrainer, LifecycleTestKit.TrainedBytes(100), LifecycleTestKit.TrainedBytes(200));

        var older = await registry.Ask<object>(new Promote(1), LifecycleTestKit.Deadline);
        Assert.IsType<RetrainAccepted>(await registry.Ask<object>(new RequestRetrain("drift"), LifecycleTestKit.Deadline));
        var second = await registry.Ask<object>(new RequestRetrain("drift again"), LifecycleTestKit.Deadline);

        Assert.Contains("use a rollback", Assert.IsType<Refused>(older).Reason);
        Assert.Contains("already being trained", Assert.IsType<Refused>(second).Reason);
    }

    [Fact]
    public async Task Registry_should_accept_a_new_retrain_when_the_retraining_actor_never_answered_the_last_one()
    {
        var retrainer = CreateTestProbe();
        var settings = LifecycleTestKit.Settings("training-timeout = 100ms\nbackoff.min = 10ms\nbackoff.max = 50ms");
        var registry = Sys.ActorOf(ModelRegistryActor.Props(settings, retrainer.Ref));
        await registry.Ask<ActiveModel>(new Bootstrap(LifecycleTestKit.TrainedBytes(100), 100), LifecycleTestKit.Deadline);
        Assert.IsType<RetrainAccepted>(await registry.Ask<object>(new RequestRetrain("drift"), LifecycleTestKit.Deadline));
        await retrainer.ExpectMsgAsync<RetrainingProtocol.TrainCandidate>();

        // The request was lost (no reply): once it is overdue a new one goes out.
        await AwaitAssertAsync(async () => Assert.IsType<RetrainAccepted>(await registry.Ask<object>(new RequestRetrain("drift again"), LifecycleTestKit.Deadline)),
            LifecycleTestKit.Deadline, TimeSpan.FromMilliseconds(50));
        var second = await retrainer.ExpectMsgAsync<RetrainingProtocol.TrainCandidate>();

        Assert.Equal("drift again", second.Reason);
    }

    [Fact]
    public async Task Registry_should_retrain_once_more_when_a_candidate_is_rejected_after_a_drift_arrived_during_its_evaluation()
    {
        var retrainer = CreateTestProbe();
        var registry = Sys.ActorOf(ModelRegistryActor.Props(LifecycleTestKit.Settings(), retrainer.Ref));
        await registry.Ask<ActiveModel>(new Bootstrap(LifecycleTestKit.TrainedBytes(100), 100), LifecycleTestKit.Deadline);
        await TrainCandidateAsync(registry, retrainer, LifecycleTestKit.TrainedBytes(200), "adwin drift on score");

        // Two more drifts while version 2 is shadow-evaluated: both refused, the latest remembered.
        var during = await registry.Ask<object>(new RequestRetrain("adwin drift on amount_zscore"), LifecycleTestKit.Deadline);
        await registry.Ask<object>(new RequestRetrain("ddm drift on label_error"), LifecycleTestKit.Deadline);
        registry.Tell(new SubmitEvaluation(2, Evaluation(promote: false)));
        var again = await retrainer.ExpectMsgAsync<RetrainingProtocol.TrainCandidate>();
        again.ReplyTo.Tell(new RetrainingProtocol.CandidateReady(again.BaseVersion, again.Reason, LifecycleTestKit.TrainedBytes(250), 250, 200));
        registry.Tell(new SubmitEvaluation(3, Evaluation(promote: false)));
        var history = await AwaitHistoryAsync(registry, h => h.Count == 3 && h[2].Status == ModelStatus.Rejected);

        Assert.Contains("runs if it is rejected", Assert.IsType<Refused>(during).Reason);
        Assert.Equal(1, again.BaseVersion);
        Assert.Equal("ddm drift on label_error", again.Reason);
        Assert.Equal("retrain: ddm drift on label_error", history[2].Trigger);
        // Nothing was refused during the second evaluation, so its rejection starts no third retrain.
        await retrainer.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Registry_should_drop_a_retrain_requested_during_an_evaluation_when_the_candidate_is_promoted()
    {
        var retrainer = CreateTestProbe();
        var registry = Sys.ActorOf(ModelRegistryActor.Props(LifecycleTestKit.Settings(), retrainer.Ref));
        await registry.Ask<ActiveModel>(new Bootstrap(LifecycleTestKit.TrainedBytes(100), 100), LifecycleTestKit.Deadline);
        await TrainCandidateAsync(registry, retrainer, LifecycleTestKit.TrainedBytes(200), "adwin drift on score");

        Assert.IsType<Refused>(await registry.Ask<object>(new RequestRetrain("adwin drift on amount_zscore"), LifecycleTestKit.Deadline));
        registry.Tell(new SubmitEvaluation(2, Evaluation(promote: true)));
        await AwaitHistoryAsync(registry, h => h[^1].Status == ModelStatus.Active);

        await retrainer.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Subscribers_should_receive_the_active_model_and_each_promotion_when_subscribed()
    {
        var retrainer = CreateTestProbe();
        var subscriber = CreateTestProbe();
        var registry = Sys.ActorOf(ModelRegistryActor.Props(LifecycleTestKit.Settings(), retrainer.Ref));
        await registry.Ask<ActiveModel>(new Bootstrap(LifecycleTestKit.TrainedBytes(100), 100), LifecycleTestKit.Deadline);

        registry.Tell(new Subscribe(subscriber.Ref));
        var initial = await subscriber.ExpectMsgAsync<ModelPromoted>();
        await TrainCandidateAsync(registry, retrainer, LifecycleTestKit.TrainedBytes(200), "drift");
        var trained = await subscriber.ExpectMsgAsync<VersionUpdated>();
        var shadow = await subscriber.ExpectMsgAsync<ShadowRequested>();
        registry.Tell(new SubmitEvaluation(2, Evaluation(promote: true)));
        var evaluated = await subscriber.ExpectMsgAsync<VersionUpdated>();
        var updates = new[] { await subscriber.ExpectMsgAsync<VersionUpdated>(), await subscriber.ExpectMsgAsync<VersionUpdated>() };
        var promoted = await subscriber.ExpectMsgAsync<ModelPromoted>();

        Assert.Equal(1, initial.Version);
        Assert.Equal((2, ModelStatus.Candidate), (trained.Info.Version, trained.Info.Status));
        Assert.NotNull(evaluated.Info.Evaluation);
        Assert.Equal([(1L, ModelStatus.Retired), (2L, ModelStatus.Active)], updates.Select(u => (u.Info.Version, u.Info.Status)).Order());
        Assert.Equal(2, shadow.Version);
        Assert.Equal(2, promoted.Version);
        Assert.StartsWith("shadow evaluation", promoted.Trigger);
    }

    private async Task<IReadOnlyList<ModelVersionInfo>> AwaitHistoryAsync(IActorRef registry, Func<IReadOnlyList<ModelVersionInfo>, bool> done)
    {
        IReadOnlyList<ModelVersionInfo> versions = [];
        await AwaitConditionAsync(async () =>
        {
            versions = (await registry.Ask<History>(GetHistory.Instance, LifecycleTestKit.Deadline)).Versions;
            return done(versions);
        }, LifecycleTestKit.Deadline, TimeSpan.FromMilliseconds(20));
        return versions;
    }

    internal static ShadowEvaluation Evaluation(bool promote) =>
        new(100, 0, 0, "unlabelled", 0.02, 0.02, 0.3, 0.3, 0.01, null, null, null, null, null, null, promote, promote ? "stable" : "alert rate too high");

    /// <summary>Bootstraps <paramref name="initial"/> as version 1, trains <paramref name="candidate"/> as version 2 and promotes it.</summary>
    internal static async Task PromoteCandidateAsync(IActorRef registry, TestProbe retrainer, byte[] initial, byte[] candidate)
    {
        var boot = await registry.Ask<ActiveModel>(new Bootstrap(initial, 100), LifecycleTestKit.Deadline);
        Assert.Equal(1, boot.Version);
        await TrainCandidateAsync(registry, retrainer, candidate, "drift");
        registry.Tell(new SubmitEvaluation(2, Evaluation(promote: true)));
        for (var i = 0; i < 50; i++)
        {
            if ((await registry.Ask<ActiveModel>(GetActive.Instance, LifecycleTestKit.Deadline)).Version == 2) return;
        }

        Assert.Fail("candidate version 2 was not promoted");
    }

    internal static async Task TrainCandidateAsync(IActorRef registry, TestProbe retrainer, byte[] candidate, string reason)
    {
        Assert.IsType<RetrainAccepted>(await registry.Ask<object>(new RequestRetrain(reason), LifecycleTestKit.Deadline));
        var train = await retrainer.ExpectMsgAsync<RetrainingProtocol.TrainCandidate>();
        train.ReplyTo.Tell(new RetrainingProtocol.CandidateReady(train.BaseVersion, train.Reason, candidate, 200, 200));
        var history = await registry.Ask<History>(GetHistory.Instance, LifecycleTestKit.Deadline);
        Assert.Equal(ModelStatus.Candidate, history.Versions[^1].Status);
    }
}
