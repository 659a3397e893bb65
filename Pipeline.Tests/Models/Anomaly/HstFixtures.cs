using System.Globalization;
using System.Text.Json;

namespace Pipeline.Tests.Models.Anomaly;

/// <summary>Loads the golden files under Fixtures/spec/hst (copied from shared/spec/fixtures/hst plus CPython-generated extras).</summary>
internal static class HstFixtures
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "spec", "hst", name);

    public static JsonDocument Json(string name) => JsonDocument.Parse(File.ReadAllText(PathOf(name)));

    public static double[] Numbers(string name) =>
        File.ReadAllLines(PathOf(name))
            .Where(l => l.Trim().Length > 0)
            .Select(l => double.Parse(l, NumberStyles.Float, CultureInfo.InvariantCulture))
            .ToArray();
}
