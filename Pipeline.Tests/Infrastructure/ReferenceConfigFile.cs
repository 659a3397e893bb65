using Akka.Configuration;

namespace Pipeline.Tests.Infrastructure;

/// <summary>Loads the repository's <c>hocon/reference.conf</c>, found by walking up from the test binaries to Pipeline.sln.</summary>
internal static class ReferenceConfigFile
{
    public static string Text() => File.ReadAllText(RepositoryFile.At("hocon", "reference.conf"));

    public static Config Load() => ConfigurationFactory.ParseString(Text());

    /// <summary>The reference file with <paramref name="overrides"/> (HOCON text) taking precedence.</summary>
    public static Config With(string overrides) => ConfigurationFactory.ParseString(overrides).WithFallback(Load());
}
