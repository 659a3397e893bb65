using PublicApiGenerator;
using Xunit;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.PublicApi;

/// <summary>
/// Pins the public surface of Pipeline.Graph and Pipeline.Models to checked-in listings, so every
/// change to it shows up in review. After an intended change, regenerate the listings with
/// <c>PIPELINE_UPDATE_PUBLIC_API=1 ./test.sh --filter PublicApi</c> and commit them.
/// </summary>
public sealed class PublicApiTests
{
    [Theory]
    [InlineData(typeof(Pipeline.Graph.Assembly.TransactionGraph), "Pipeline.Graph.txt")]
    [InlineData(typeof(Pipeline.Models.Domain.Transaction), "Pipeline.Models.txt")]
    public void Public_api_should_match_the_checked_in_listing_when_the_assembly_changes(Type anchor, string file)
    {
        var actual = anchor.Assembly.GeneratePublicApi(new ApiGeneratorOptions { ExcludeAttributes = ["System.Runtime.CompilerServices.InternalsVisibleToAttribute"] }).ReplaceLineEndings("\n");
        var path = Path.Combine(RepositoryRoot(), "Pipeline.Tests", "PublicApi", file);
        if (Environment.GetEnvironmentVariable("PIPELINE_UPDATE_PUBLIC_API") == "1")
        {
            File.WriteAllText(path, actual);
        }

        Assert.True(File.Exists(path), $"{path} is missing; generate it with PIPELINE_UPDATE_PUBLIC_API=1");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }

    private static string RepositoryRoot() => RepositoryFile.Root;
}
