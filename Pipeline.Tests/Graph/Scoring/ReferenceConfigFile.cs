using Akka.Configuration;

namespace Pipeline.Tests.Graph.Scoring;

/// <summary>Loads the repository's <c>hocon/reference.conf</c>, found by walking up from the test binaries to Pipeline.sln.</summary>
internal static class ReferenceConfigFile
{
    public static string Text()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                return File.ReadAllText(Path.Combine(dir.FullName, "hocon", "reference.conf"));
            }
        }

        throw new InvalidOperationException($"no Pipeline.sln above {AppContext.BaseDirectory}");
    }

    public static Config Load() => ConfigurationFactory.ParseString(Text());

    /// <summary>The reference file with <paramref name="overrides"/> (HOCON text) taking precedence.</summary>
    public static Config With(string overrides) => ConfigurationFactory.ParseString(overrides).WithFallback(Load());
}
