using Xunit;

namespace Pipeline.Tests.Host.Inspector;

/// <summary>The tests that share one <see cref="RunningHost"/>.</summary>
[CollectionDefinition(Name)]
public sealed class RunningHostCollection : ICollectionFixture<RunningHost>
{
    public const string Name = "running host";
}
