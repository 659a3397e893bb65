using System.Text.RegularExpressions;

namespace Pipeline.Graph.Sinks.Postgres.Internal;

/// <summary>One versioned schema change: an embedded <c>Migrations/NNN_description.sql</c> file.</summary>
internal sealed partial record Migration(int Version, string Name, string Sql)
{
    private const string ResourcePrefix = "Pipeline.Graph.Sinks.Postgres.Migrations.";

    /// <summary>Every embedded migration, ordered by version.</summary>
    /// <exception cref="InvalidOperationException">A file is misnamed or two share a version (a build defect).</exception>
    public static IReadOnlyList<Migration> Embedded { get; } = Load(typeof(Migration).Assembly);

    internal static IReadOnlyList<Migration> Load(System.Reflection.Assembly assembly)
    {
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var file = resource[ResourcePrefix.Length..];
            var match = FileName().Match(file);
            if (!match.Success) throw new InvalidOperationException($"migration '{file}' must be named NNN_description.sql (three digits, lower-case words)");
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups[2].Value, reader.ReadToEnd()));
        }

        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"migrations {string.Join(" and ", duplicate.Select(m => m.Name))} share version {duplicate.Key}");
        return migrations.OrderBy(m => m.Version).ToArray();
    }

    [GeneratedRegex("^([0-9]{3})_([a-z0-9_]+)\\.sql$")]
    private static partial Regex FileName();
}
