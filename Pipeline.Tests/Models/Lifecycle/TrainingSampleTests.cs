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
    public void Snapshot_should_leave_out_excluded_transactions_until_their_slot_is_overwritten_when_fraud_labels_arrive_late()
    {
        var featured = LifecycleTestKit.Featurized(LifecycleTestKit.Generate(seed: 43, normal: 15, drift: 0, attack: 0));
        var sample = new TrainingSample(10);
        foreach (var f in featured.Take(10)) sample.Add(f.Transaction, f.Features);

        var held = sample.Exclude(featured[3].Transaction.TransactionId);
        var twice = sample.Exclude(featured[3].Transaction.TransactionId);
        var unknown = sample.Exclude("not-held");
        var afterExclusion = sample.Snapshot().Select(s => s.Transaction.TransactionId).ToList();
        foreach (var f in featured.Skip(10)) sample.Add(f.Transaction, f.Features);

        Assert.True(held);
        Assert.False(twice);
        Assert.False(unknown);
        Assert.Equal(featured.Take(10).Where((_, i) => i != 3).Select(f => f.Transaction.TransactionId), afterExclusion);
        // The excluded entry was among the five overwritten: the buffer is whole again.
        Assert.Equal(10, sample.Count);
        Assert.Equal(featured.TakeLast(10).Select(f => f.Transaction.TransactionId), sample.Snapshot().Select(s => s.Transaction.TransactionId));
        Assert.False(sample.Exclude(featured[3].Transaction.TransactionId));
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
