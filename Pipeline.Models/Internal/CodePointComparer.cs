namespace Pipeline.Models.Internal;

/// <summary>
/// Orders strings by Unicode code point, as Python's <c>sorted</c> does for <c>str</c>.
/// Ordinal UTF-16 comparison differs from it only when a surrogate pair meets a code unit in
/// U+E000–U+FFFF; the fix-up below moves surrogates above that block before comparing.
/// </summary>
internal sealed class CodePointComparer : IComparer<string>
{
    /// <summary>The shared instance.</summary>
    public static CodePointComparer Instance { get; } = new();

    private CodePointComparer()
    {
    }

    /// <inheritdoc />
    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;

        var n = Math.Min(x.Length, y.Length);
        for (var i = 0; i < n; i++)
        {
            int a = x[i];
            int b = y[i];
            if (a != b)
            {
                return Fix(a) - Fix(b);
            }
        }

        return x.Length - y.Length;
    }

    private static int Fix(int c) => c < 0xD800 ? c : c >= 0xE000 ? c - 0x800 : c + 0x2000;
}
