using Pipeline.Graph.Outputs;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Graph.Outputs;

/// <summary>Output settings pointed at the mock cluster and the test's own topics.</summary>
internal static class KafkaOutputTestKit
{
    public static OutputSettings Settings(string bootstrap, string scoredTopic, string driftTopic, string overrides = "") =>
        OutputSettings.Create(ReferenceConfigFile.With(
            $"pipeline.topics.scored = \"{scoredTopic}\"\npipeline.topics.drift = \"{driftTopic}\"\n{overrides}")).WithBootstrapServers(bootstrap);
}
