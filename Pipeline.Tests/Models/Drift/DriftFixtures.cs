using System.Globalization;
using System.Text.Json;

namespace Pipeline.Tests.Models.Drift;

/// <summary>River's reference streams and expectations, copied from the shared spec into Fixtures/spec.</summary>
internal static class DriftFixtures
{
    public static string PathOf(string detector, string file) =>
        Path.Combine(AppContext.BaseDirectory, "Fixtures", "spec", detector, file);

    public static double[] Stream(string detector, string file = "docstring_stream.txt") =>
        File.ReadAllLines(PathOf(detector, file))
            .Where(l => l.Length > 0)
            .Select(l => double.Parse(l, CultureInfo.InvariantCulture))
            .ToArray();

    public static JsonElement[] Cases(string detector)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(PathOf(detector, "docstring_expected.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray();
    }

    public static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();
}
