namespace Pipeline.Models.Synthetic;

/// <summary>
/// The habits of one synthetic account, drawn once from the scenario's seeded random source: a log-normal amount
/// profile, a home country, weighted favourite merchants, active hours, a card, an e-mail and one or two devices.
/// It also remembers the account's last event time so its timestamps never go backwards.
/// </summary>
internal sealed class AccountProfile
{
    private const double FavouriteDecay = 0.6;

    private readonly SyntheticCatalog.Merchant[] _favourites;
    private readonly double[] _favouriteWeights;

    private AccountProfile(
        string accountId,
        double medianAmount,
        double sigma,
        SyntheticCatalog.Country home,
        SyntheticCatalog.Merchant[] favourites,
        int activeFromHour,
        int activeToHour,
        double onlineShare,
        double activity,
        string cardNumber,
        string email,
        string[] devices)
    {
        AccountId = accountId;
        MedianAmount = medianAmount;
        Sigma = sigma;
        Home = home;
        _favourites = favourites;
        _favouriteWeights = Enumerable.Range(0, favourites.Length).Select(i => Math.Pow(FavouriteDecay, i)).ToArray();
        ActiveFromHour = activeFromHour;
        ActiveToHour = activeToHour;
        OnlineShare = onlineShare;
        Activity = activity;
        CardNumber = cardNumber;
        Email = email;
        Devices = devices;
    }

    public string AccountId { get; }

    /// <summary>Median of the account's everyday amount, before the merchant category's factor.</summary>
    public double MedianAmount { get; }

    /// <summary>Shape of the log-normal amount distribution; larger is more erratic.</summary>
    public double Sigma { get; }

    public SyntheticCatalog.Country Home { get; }

    /// <summary>First UTC hour the account usually spends in.</summary>
    public int ActiveFromHour { get; }

    /// <summary>Last UTC hour the account usually spends in.</summary>
    public int ActiveToHour { get; }

    /// <summary>Share of its spending done online before drift.</summary>
    public double OnlineShare { get; }

    /// <summary>Relative transaction frequency against other accounts.</summary>
    public double Activity { get; }

    public string CardNumber { get; }

    public string Email { get; }

    public string[] Devices { get; }

    /// <summary>Event time of the account's latest transaction so far.</summary>
    public DateTimeOffset LastTimestamp { get; set; } = DateTimeOffset.MinValue;

    public static AccountProfile Create(int index, Random rng, SyntheticCatalog catalog)
    {
        var home = SyntheticCatalog.HomeCountries[Sampling.Weighted(rng, SyntheticCatalog.HomeCountries.Select(c => c.Weight).ToArray())];
        var favouriteCount = rng.Next(3, 7);
        var favourites = new List<int>(favouriteCount);
        while (favourites.Count < favouriteCount)
        {
            var pick = rng.Next(catalog.NormalMerchants.Length);
            if (!favourites.Contains(pick)) favourites.Add(pick);
        }

        return new AccountProfile(
            accountId: $"acct-{index:D6}",
            medianAmount: Math.Exp(Sampling.Uniform(rng, Math.Log(8), Math.Log(250))),
            sigma: Sampling.Uniform(rng, 0.3, 0.8),
            home: home,
            favourites: favourites.Select(i => catalog.NormalMerchants[i]).ToArray(),
            activeFromHour: rng.Next(5, 11),
            activeToHour: rng.Next(19, 24),
            onlineShare: Sampling.Uniform(rng, 0.1, 0.5),
            activity: Sampling.LogNormal(rng, 1.0, 0.8),
            cardNumber: Sampling.CardNumber(rng),
            email: $"user{index:D6}.{Sampling.Hex(rng, 4)}@example.com",
            devices: Enumerable.Range(0, rng.Next(1, 3)).Select(_ => "dev-" + Sampling.Hex(rng, 12)).ToArray());
    }

    public bool IsActiveAt(int utcHour) => utcHour >= ActiveFromHour && utcHour <= ActiveToHour;

    public SyntheticCatalog.Merchant PickFavourite(Random rng) => _favourites[Sampling.Weighted(rng, _favouriteWeights)];
}
