namespace Pipeline.Tests.Infrastructure;

/// <summary>Paths inside the repository, found by walking up from the test binaries to Pipeline.sln.</summary>
internal static class RepositoryFile
{
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln"))) return dir.FullName;
            }

            throw new InvalidOperationException($"no Pipeline.sln above {AppContext.BaseDirectory}");
        }
    }

    public static string At(params string[] parts) => Path.Combine([Root, .. parts]);
}
