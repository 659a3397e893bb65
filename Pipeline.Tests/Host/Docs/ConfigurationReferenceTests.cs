using Pipeline.Host.Hosting;
using Pipeline.Host.Inspector;
using Pipeline.Tests.Infrastructure;
using Xunit;

namespace Pipeline.Tests.Host.Docs;

/// <summary>
/// Keeps README.md's configuration reference true to <c>hocon/reference.conf</c>: every key with
/// its default, nothing that no longer exists, and every environment variable the host reads.
/// After changing reference.conf, regenerate the section with
/// <c>PIPELINE_UPDATE_README=1 dotnet test Pipeline.Tests --filter FullyQualifiedName~ConfigurationReference</c>.
/// </summary>
public sealed class ConfigurationReferenceTests
{
    private static readonly Lazy<string> ReadmeText = new(LoadReadme);

    [Fact]
    public void Reference_scanner_should_see_exactly_the_keys_and_defaults_akka_parses_when_reading_reference_conf()
    {
        var config = ReferenceConfigFile.Load();
        var scanned = ConfigurationReference.Scan(ReferenceConfigFile.Text());
        var parsed = Parsed(config);

        var onlyParsed = parsed.Keys.Except(scanned.Select(k => k.Path)).Order().ToList();
        var onlyScanned = scanned.Select(k => k.Path).Except(parsed.Keys).Order().ToList();
        var differing = scanned.Where(k => parsed.TryGetValue(k.Path, out var v) && ConfigurationReference.Normalise(k.Default) != v)
            .Select(k => $"{k.Path}: scanned {k.Default}, parsed {parsed[k.Path]}").ToList();

        Assert.True(onlyParsed.Count == 0 && onlyScanned.Count == 0 && differing.Count == 0,
            "the README generator misreads reference.conf (write keys as `name = value` or `name {` on their own line)."
            + List("parsed by Akka but not scanned", onlyParsed) + List("scanned but not parsed by Akka", onlyScanned) + List("different defaults", differing));
        Assert.Contains(scanned, k => k.Path == "pipeline.kafka.consumer.kafka-clients.bootstrap.servers" && k.Default == "\"localhost:9092\"");
    }

    [Fact]
    public void Readme_configuration_reference_should_list_every_key_of_reference_conf_with_its_default()
    {
        var parsed = Parsed(ReferenceConfigFile.Load());
        var rows = ConfigurationReference.Rows(Section());

        var listed = rows.Select(r => r.Path).ToHashSet(StringComparer.Ordinal);
        var missing = parsed.Keys.Where(k => !listed.Contains(k)).Order().ToList();
        var stale = rows.Select(r => r.Path).Where(p => !parsed.ContainsKey(p)).Order().ToList();
        var duplicated = rows.GroupBy(r => r.Path).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var wrongDefault = rows.Where(r => parsed.TryGetValue(r.Path, out var value) && NormaliseOrRaw(r.Default) != value)
            .Select(r => $"{r.Path}: README says {r.Default}, reference.conf has {parsed[r.Path]}").ToList();

        Assert.True(missing.Count == 0 && stale.Count == 0 && duplicated.Count == 0 && wrongDefault.Count == 0,
            $"README.md's configuration reference is out of date; regenerate it with {ConfigurationReference.RegenerateCommand}."
            + List("keys of reference.conf missing from the README", missing)
            + List("keys in the README that reference.conf does not have", stale)
            + List("keys listed twice", duplicated)
            + List("wrong defaults", wrongDefault));
    }

    [Fact]
    public void Readme_configuration_reference_should_equal_the_text_generated_from_reference_conf_when_comments_change()
    {
        var expected = ConfigurationReference.Render(ConfigurationReference.Scan(ReferenceConfigFile.Text()));

        var actual = Section();

        var expectedLines = expected.Split('\n');
        var actualLines = actual.ReplaceLineEndings("\n").Split('\n');
        var firstDifference = Enumerable.Range(0, Math.Max(expectedLines.Length, actualLines.Length))
            .FirstOrDefault(i => i >= expectedLines.Length || i >= actualLines.Length || expectedLines[i] != actualLines[i], -1);
        Assert.True(firstDifference < 0,
            $"README.md's configuration reference differs from reference.conf (a meaning or the layout changed); regenerate it with {ConfigurationReference.RegenerateCommand}."
            + $"\n  first difference at line {firstDifference + 1} of the section:"
            + $"\n  README:    {(firstDifference >= 0 && firstDifference < actualLines.Length ? actualLines[firstDifference] : "(end)")}"
            + $"\n  generated: {(firstDifference >= 0 && firstDifference < expectedLines.Length ? expectedLines[firstDifference] : "(end)")}");
    }

    [Fact]
    public void Reference_conf_should_explain_every_key_when_the_reference_is_generated()
    {
        var keys = ConfigurationReference.Scan(ReferenceConfigFile.Text());

        var unexplained = keys.Where(k => k.Meaning.Length == 0).Select(k => k.Path).ToList();

        Assert.True(unexplained.Count == 0, "keys of reference.conf without a comment above them or their block:" + List("", unexplained));
        Assert.True(keys.Count > 200, $"only {keys.Count} keys scanned");
    }

    [Fact]
    public void Readme_environment_table_should_list_every_variable_the_host_reads()
    {
        var documented = ConfigurationReference.FirstColumnNames(ReadmeText.Value, "| environment variable |");
        var read = PipelineConfigLoader.EnvironmentMappings.Select(m => m.Variable)
            .Append("PIPELINE_CONFIG")
            .Append(InspectorSettings.TokenVariable);

        var missing = read.Where(v => !documented.Contains(v)).ToList();

        Assert.True(missing.Count == 0, "README.md's environment-variable table lacks:" + List("", missing));
    }

    [Fact]
    public void Environment_mappings_should_set_keys_that_reference_conf_defines()
    {
        var parsed = Parsed(ReferenceConfigFile.Load());

        var unknown = PipelineConfigLoader.EnvironmentMappings
            .SelectMany(m => m.Paths.Where(p => !parsed.ContainsKey(p)).Select(p => $"{m.Variable} -> {p}"))
            .ToList();

        Assert.True(unknown.Count == 0, "environment variables mapped to keys that reference.conf lacks (the value would be ignored):" + List("", unknown));
    }

    private static Dictionary<string, string> Parsed(Akka.Configuration.Config config) =>
        ConfigurationReference.Leaves(config, "pipeline").Concat(ConfigurationReference.Leaves(config, "akka"))
            .ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);

    private static string NormaliseOrRaw(string value)
    {
        try
        {
            return ConfigurationReference.Normalise(value);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return value;
        }
    }

    private static string Section() =>
        ConfigurationReference.Section(ReadmeText.Value)
        ?? throw new Xunit.Sdk.XunitException($"README.md has no {ConfigurationReference.StartMarker} ... {ConfigurationReference.EndMarker} section");

    private static string List(string title, IReadOnlyCollection<string> items) =>
        items.Count == 0 ? "" : (title.Length > 0 ? $"\n{title}:" : "") + string.Concat(items.Select(i => $"\n  {i}"));

    // With PIPELINE_UPDATE_README=1 the section is rewritten first, so every test then checks the new text.
    private static string LoadReadme()
    {
        var path = RepositoryFile.At("README.md");
        var text = File.ReadAllText(path);
        if (Environment.GetEnvironmentVariable(ConfigurationReference.UpdateVariable) != "1") return text;

        var current = ConfigurationReference.Section(text)
            ?? throw new InvalidOperationException($"README.md has no {ConfigurationReference.StartMarker} ... {ConfigurationReference.EndMarker} section to regenerate");
        var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var generated = ConfigurationReference.Render(ConfigurationReference.Scan(ReferenceConfigFile.Text())).ReplaceLineEndings(newline);
        var updated = text.Replace(current, generated, StringComparison.Ordinal);
        if (updated != text) File.WriteAllText(path, updated);
        return updated;
    }
}
