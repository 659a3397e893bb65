using Pipeline.Host.Hosting;
using Xunit;

namespace Pipeline.Tests.Host.Hosting;

public sealed class RunOptionsTests
{
    private static readonly Dictionary<string, string> NoEnvironment = new();

    [Fact]
    public void GraphOn_should_shorten_the_consumer_fetch_wait_when_the_broker_is_the_in_process_mock()
    {
        var options = RunOptions.Create(PipelineConfigLoader.Load(NoEnvironment, null, "pipeline.embedded.fetch-wait = 25ms"));

        var graph = options.GraphOn("127.0.0.1:9092", mockBroker: true);

        Assert.Equal("25", graph.Consumer.Properties["fetch.wait.max.ms"]);
        Assert.Equal("127.0.0.1:9092", graph.Consumer.Properties["bootstrap.servers"]);
    }

    [Fact]
    public void GraphOn_should_leave_the_fetch_wait_to_librdkafka_when_the_broker_is_a_real_cluster()
    {
        var options = RunOptions.Create(PipelineConfigLoader.Load(NoEnvironment, null, null));

        var graph = options.GraphOn("broker-1:9092", mockBroker: false);

        Assert.False(graph.Consumer.Properties.TryGetValue("fetch.wait.max.ms", out _));
    }
}
