namespace Pipeline.Models.Domain;

/// <summary>
/// Shares one string instance per currency and country code, so decoding a code allocates only the first time
/// it is seen. The tables are filled lazily; a race can at worst create two equal strings, which is harmless.
/// </summary>
internal static class CodeCache
{
    private static readonly string?[] s_currencies = new string?[26 * 26 * 26];
    private static readonly string?[] s_countries = new string?[26 * 26];

    /// <summary>The currency code for three upper-case ASCII letters, or null when <paramref name="code"/> is not that.</summary>
    public static string? Currency(ReadOnlySpan<byte> code) =>
        code.Length == 3 && Index(code, out var i) ? s_currencies[i] ??= System.Text.Encoding.ASCII.GetString(code) : null;

    /// <summary>The country code for two upper-case ASCII letters, or null when <paramref name="code"/> is not that.</summary>
    public static string? Country(ReadOnlySpan<byte> code) =>
        code.Length == 2 && Index(code, out var i) ? s_countries[i] ??= System.Text.Encoding.ASCII.GetString(code) : null;

    private static bool Index(ReadOnlySpan<byte> code, out int index)
    {
        index = 0;
        foreach (var b in code)
        {
            if ((uint)(b - 'A') > 'Z' - 'A') return false;
            index = index * 26 + (b - 'A');
        }

        return true;
    }
}
