namespace Pipeline.Models.Synthetic;

/// <summary>
/// The fixed world the synthetic accounts live in: countries with currency and a representative location,
/// merchant categories with a typical amount factor, and merchant pools for normal spending, for the merchants
/// that appear during drift, and for fraud. Merchant categories are drawn from the scenario's seeded random source.
/// </summary>
internal sealed class SyntheticCatalog
{
    private const int NormalMerchantCount = 400;
    private const int DriftMerchantCount = 40;
    private const int FraudMerchantsPerCategory = 8;

    /// <summary>Home countries with their weight in the account population.</summary>
    public static readonly Country[] HomeCountries =
    [
        new("US", "USD", 40.71, -74.01, 30), new("GB", "GBP", 51.51, -0.13, 12), new("DE", "EUR", 52.52, 13.40, 12),
        new("FR", "EUR", 48.86, 2.35, 10), new("NL", "EUR", 52.37, 4.90, 6), new("ES", "EUR", 40.42, -3.70, 6),
        new("IT", "EUR", 41.90, 12.50, 6), new("SE", "SEK", 59.33, 18.07, 4), new("PL", "PLN", 52.23, 21.01, 5),
        new("CA", "CAD", 43.65, -79.38, 6), new("IE", "EUR", 53.35, -6.26, 3),
    ];

    /// <summary>Countries no account lives in; fraud uses them as "abroad".</summary>
    public static readonly Country[] ForeignCountries =
    [
        new("BR", "BRL", -23.55, -46.63, 1), new("MX", "MXN", 19.43, -99.13, 1), new("TH", "THB", 13.76, 100.50, 1),
        new("VN", "VND", 10.82, 106.63, 1), new("ID", "IDR", -6.21, 106.85, 1), new("PH", "PHP", 14.60, 120.98, 1),
        new("ZA", "ZAR", -26.20, 28.05, 1), new("TR", "TRY", 41.01, 28.98, 1), new("AE", "AED", 25.20, 55.27, 1),
        new("SG", "SGD", 1.35, 103.82, 1), new("AR", "ARS", -34.60, -58.38, 1), new("KE", "KES", -1.29, 36.82, 1),
    ];

    private static readonly (string Name, double AmountFactor, double Weight)[] s_normalCategories =
    [
        ("grocery", 1.0, 30), ("restaurants", 0.7, 20), ("fuel", 1.1, 10), ("retail", 1.6, 12), ("utilities", 2.5, 5),
        ("pharmacy", 0.6, 6), ("entertainment", 0.9, 7), ("travel", 4.0, 4), ("electronics", 3.0, 3), ("online_services", 0.5, 3),
    ];

    private static readonly (string Name, double AmountFactor)[] s_driftCategories =
        [("online_services", 0.6), ("subscription", 0.4), ("electronics", 2.5)];

    public SyntheticCatalog(Random rng)
    {
        var weights = s_normalCategories.Select(c => c.Weight).ToArray();
        NormalMerchants = new Merchant[NormalMerchantCount];
        for (var i = 0; i < NormalMerchants.Length; i++)
        {
            var (name, factor, _) = s_normalCategories[Sampling.Weighted(rng, weights)];
            NormalMerchants[i] = new Merchant($"mrc-{i:D5}", name, factor);
        }

        DriftMerchants = new Merchant[DriftMerchantCount];
        for (var i = 0; i < DriftMerchants.Length; i++)
        {
            var (name, factor) = s_driftCategories[i % s_driftCategories.Length];
            DriftMerchants[i] = new Merchant($"mrc-n{i:D4}", name, factor);
        }

        FraudMerchants = new Dictionary<string, Merchant[]>(StringComparer.Ordinal);
        var next = 0;
        foreach (var category in new[] { "crypto", "wire_transfer", "gift_cards", "electronics" })
        {
            FraudMerchants[category] = Enumerable.Range(0, FraudMerchantsPerCategory)
                .Select(_ => new Merchant($"mrc-x{next++:D4}", category, 1.0))
                .ToArray();
        }
    }

    /// <summary>Merchants the population uses before drift; favourites are drawn from these.</summary>
    public Merchant[] NormalMerchants { get; }

    /// <summary>Merchants that become common during drift.</summary>
    public Merchant[] DriftMerchants { get; }

    /// <summary>Merchants used by fraud, per category.</summary>
    public Dictionary<string, Merchant[]> FraudMerchants { get; }

    /// <summary>A country with its currency and a representative location.</summary>
    internal sealed record Country(string Code, string Currency, double Lat, double Lon, double Weight);

    /// <summary>A merchant and the factor its category applies to an account's typical amount.</summary>
    internal sealed record Merchant(string Id, string Category, double AmountFactor);
}
