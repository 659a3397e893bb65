namespace Pipeline.Models.Synthetic;

/// <summary>Distributions drawn from an injected, seeded <see cref="Random"/>; nothing here owns randomness.</summary>
internal static class Sampling
{
    /// <summary>Index drawn with probability proportional to <paramref name="weights"/>.</summary>
    public static int Weighted(Random rng, IReadOnlyList<double> weights)
    {
        var total = 0.0;
        foreach (var w in weights) total += w;
        var u = rng.NextDouble() * total;
        for (var i = 0; i < weights.Count; i++)
        {
            u -= weights[i];
            if (u < 0) return i;
        }

        return weights.Count - 1;
    }

    /// <summary>Running totals of <paramref name="weights"/>, for <see cref="WeightedCumulative"/>.</summary>
    public static double[] Cumulative(IReadOnlyList<double> weights)
    {
        var cumulative = new double[weights.Count];
        var total = 0.0;
        for (var i = 0; i < weights.Count; i++) cumulative[i] = total += weights[i];
        return cumulative;
    }

    /// <summary>Like <see cref="Weighted"/> over precomputed running totals, in O(log n).</summary>
    public static int WeightedCumulative(Random rng, double[] cumulative)
    {
        var u = rng.NextDouble() * cumulative[^1];
        var i = Array.BinarySearch(cumulative, u);
        // A miss returns the complement of the first larger total, which is the bucket u falls in;
        // an exact hit on a boundary belongs to the next bucket.
        i = i < 0 ? ~i : i + 1;
        while (i < cumulative.Length - 1 && cumulative[i] <= u) i++; // skips zero-weight buckets after a hit
        return Math.Min(i, cumulative.Length - 1);
    }

    /// <summary>Uniform in [min, max).</summary>
    public static double Uniform(Random rng, double min, double max) => min + (rng.NextDouble() * (max - min));

    /// <summary>Standard normal by Box–Muller.</summary>
    public static double StandardNormal(Random rng)
    {
        var u1 = 1.0 - rng.NextDouble(); // (0, 1]: keeps the logarithm finite
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Log-normal with the given median and shape.</summary>
    public static double LogNormal(Random rng, double median, double sigma) => median * Math.Exp(sigma * StandardNormal(rng));

    /// <summary>Exponential with the given mean.</summary>
    public static double Exponential(Random rng, double mean) => -Math.Log(1.0 - rng.NextDouble()) * mean;

    /// <summary>Lower-case hexadecimal text of <paramref name="digits"/> random nibbles.</summary>
    public static string Hex(Random rng, int digits)
    {
        Span<char> chars = stackalloc char[digits];
        for (var i = 0; i < digits; i++) chars[i] = "0123456789abcdef"[rng.Next(16)];
        return new string(chars);
    }

    /// <summary>A random (version 4, RFC 4122 variant) UUID drawn from <paramref name="rng"/>.</summary>
    public static Guid Uuid(Random rng)
    {
        Span<byte> bytes = stackalloc byte[16];
        rng.NextBytes(bytes);
        // Guid's byte layout is little-endian in its first three groups, so the version nibble lives in byte 7.
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    /// <summary>
    /// A 16-digit card number in the 4000 test range whose last digit is the Luhn check digit, so card-format
    /// validators accept it while no real card can match.
    /// </summary>
    public static string CardNumber(Random rng)
    {
        Span<char> digits = stackalloc char[16];
        "4000".CopyTo(digits);
        for (var i = 4; i < 15; i++) digits[i] = (char)('0' + rng.Next(10));
        var sum = 0;
        for (var i = 14; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if ((14 - i) % 2 == 0)
            {
                d *= 2;
                if (d > 9) d -= 9;
            }

            sum += d;
        }

        digits[15] = (char)('0' + ((10 - (sum % 10)) % 10));
        return new string(digits);
    }
}
