using Pipeline.Models.Lifecycle;
using Pipeline.Tests.Graph.Retraining;
using Xunit;

namespace Pipeline.Tests.Models.Lifecycle;

public sealed class TrainingSampleTests
{
    [Fact]
    public void Snapshot_should_hold_the_most_recent_transactions_oldest_first_when_the_buffer_wrapped()
    {
        var featured = LifecycleTestKit.Featurized(LifecycleTestKit.Generate(seed: 41, normal: 25, drift: 0, attack: 0));
        var sample = new TrainingSample(10);

        foreach (var f in featured) sample.Add(f.Transaction, f.Features);

        Assert.Equal(featured.TakeLast(10).Select(f => f.Transaction.TransactionId), sample.Snapshot().Select(s => s.Transaction.TransactionId));
        Assert.Equal(25, sample.Added);
        Assert.Equal(10, sample.Count);
    }

    [Fact]
    public void CandidateTrainer_should_learn_the_sample_on_a_copy_when_given_the_active_model_bytes()
    {
        var featured = LifecycleTestKit.Featurized(LifecycleTestKit.Generate(seed: 42, normal: 300, drift: 0, attack: 0));
        var active = LifecycleTestKit.TrainedBytes(100);
        var original = (byte[])active.Clone();

        var candidate = CandidateTrainer.Train(active, LifecycleTestKit.ModelConfiguration, featured.Select(f => (f.Transaction, f.Features)).ToList(), CancellationToken.None);

        Assert.Equal(original, active);
        Assert.Equal(400, LifecycleTestKit.Read(candidate).LearnCount);
        Assert.Throws<OperationCanceledException>(() =>
            CandidateTrainer.Train(active, LifecycleTestKit.ModelConfiguration, featured.Select(f => (f.Transaction, f.Features)).ToList(), new CancellationToken(canceled: true)));
    }
}
