using Akka.Actor;
using Akka.Configuration;
using Pipeline.Graph.Retraining;
using Pipeline.Tests.Infrastructure;
using Xunit;
using static Pipeline.Graph.Retraining.ModelRegistryProtocol;

namespace Pipeline.Tests.Graph.Retraining;

[Trait("Category", "Integration")]
public sealed class ModelRegistryPostgresTests
{
    [Fact]
    public async Task Registry_should_recover_promotions_and_rollbacks_from_the_postgresql_journal_when_restarted()
    {
        var database = await PostgresServer.Shared.CreateDatabaseAsync("registry");
        var config = new PersistenceSettings { Provider = "postgresql", ConnectionString = database }.ToAkkaConfig()
            .WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        var settings = LifecycleTestKit.Settings("snapshot-every-events = 4");
        var initial = LifecycleTestKit.TrainedBytes(100);
        var candidate = LifecycleTestKit.TrainedBytes(300);

        var first = ActorSystem.Create("registry-pg", config);
        try
        {
            var retrainer = new Akka.TestKit.TestProbe(first, new Akka.TestKit.Xunit2.XunitAssertions());
            var registry = first.ActorOf(ModelRegistryActor.Props(settings, retrainer.Ref));
            await ModelRegistryActorTests.PromoteCandidateAsync(registry, retrainer, initial, candidate);
            await registry.Ask<ActiveModel>(new Rollback(1), LifecycleTestKit.Deadline);
        }
        finally
        {
            await first.Terminate();
        }

        var second = ActorSystem.Create("registry-pg", config);
        try
        {
            var registry = second.ActorOf(ModelRegistryActor.Props(settings, second.DeadLetters));
            var active = await registry.Ask<ActiveModel>(GetActive.Instance, LifecycleTestKit.Deadline);
            var history = (await registry.Ask<History>(GetHistory.Instance, LifecycleTestKit.Deadline)).Versions;

            Assert.Equal(3, active.Version);
            Assert.Equal(initial, active.Model);
            Assert.Equal([ModelStatus.Retired, ModelStatus.Retired, ModelStatus.Active], history.Select(v => v.Status));
            Assert.IsType<Refused>(await registry.Ask<object>(new Promote(2), LifecycleTestKit.Deadline));
        }
        finally
        {
            await second.Terminate();
        }
    }
}
