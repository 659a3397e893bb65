using Pipeline.Models.Domain;

namespace Pipeline.Models.Synthetic;

/// <summary>
/// The running state behind <see cref="TransactionGenerator"/>: the single seeded random source, the accounts,
/// the event clock and the burst in progress. Every draw goes through <see cref="_rng"/> in a fixed order, which
/// is what makes a seed reproduce its sequence exactly.
/// </summary>
internal sealed class SyntheticScenario
{
    private const double AtmShare = 0.05;
    private const double TransferShare = 0.04;
    private const double DriftOnlineShareGain = 0.25;
    private const double MaxOnlineShare = 0.9;
    private const double FavouriteShare = 0.85;
    private const double LateEventShare = 0.02;
    private const double LateEventMaxGaps = 3.0;
    private const double BurstGapFactor = 0.25;
    private const int ActiveHourAttempts = 4;
    private const double LocationJitterDegrees = 0.05;

    private readonly GeneratorOptions _options;
    private readonly Random _rng;
    private readonly SyntheticCatalog _catalog;
    private readonly AccountProfile[] _accounts;
    private readonly double[] _activity; // running totals of account activity
    private readonly AccountProfile[] _compromised;
    private readonly double _meanGapTicks;
    private long _clockTicks;
    private Burst? _burst;

    public SyntheticScenario(GeneratorOptions options)
    {
        _options = options;
        // System.Random with an explicit seed uses its stable legacy algorithm, so sequences survive runtime upgrades.
        _rng = new Random(unchecked((int)(options.Seed ^ (options.Seed >>> 32))));
        _catalog = new SyntheticCatalog(_rng);
        _accounts = Enumerable.Range(0, options.Accounts).Select(i => AccountProfile.Create(i, _rng, _catalog)).ToArray();
        _activity = Sampling.Cumulative(_accounts.Select(a => a.Activity).ToArray());

        var compromisedCount = Math.Clamp(options.Accounts / 40, 1, 10);
        var compromised = new List<AccountProfile>(compromisedCount);
        while (compromised.Count < compromisedCount)
        {
            var pick = _accounts[_rng.Next(_accounts.Length)];
            if (!compromised.Contains(pick)) compromised.Add(pick);
        }

        _compromised = [.. compromised];
        _meanGapTicks = options.MeanInterArrival.Ticks;
        _clockTicks = options.Start.UtcTicks;
    }

    public GeneratedTransaction Next(GenerationPhase phase, double drift)
    {
        var isFraud = phase == GenerationPhase.Attack && _rng.NextDouble() < _options.AttackFraction;
        Transaction transaction;
        if (!isFraud)
        {
            Advance(1.0);
            transaction = Everyday(PickAccount(), drift);
        }
        else
        {
            if (_burst is null && _rng.NextDouble() < _options.BurstShare)
            {
                _burst = new Burst(
                    _compromised[_rng.Next(_compromised.Length)],
                    "dev-" + Sampling.Hex(_rng, 12),
                    SyntheticCatalog.ForeignCountries[_rng.Next(SyntheticCatalog.ForeignCountries.Length)],
                    _rng.Next(5, 16));
            }

            if (_burst is { } burst)
            {
                Advance(BurstGapFactor);
                transaction = BurstFraud(burst);
                if (--burst.Remaining == 0) _burst = null;
            }
            else
            {
                Advance(1.0);
                transaction = ScatteredFraud(_accounts[_rng.Next(_accounts.Length)]);
            }
        }

        return new GeneratedTransaction(transaction, isFraud, phase, transaction.Timestamp + _options.LabelDelay);
    }

    private void Advance(double gapFactor) =>
        _clockTicks += Math.Max(1L, (long)Sampling.Exponential(_rng, _meanGapTicks * gapFactor));

    private AccountProfile PickAccount()
    {
        var hour = new DateTime(_clockTicks, DateTimeKind.Utc).Hour;
        var account = _accounts[Sampling.WeightedCumulative(_rng, _activity)];
        for (var attempt = 1; attempt < ActiveHourAttempts && !account.IsActiveAt(hour); attempt++)
        {
            account = _accounts[Sampling.WeightedCumulative(_rng, _activity)];
        }

        return account;
    }

    private DateTimeOffset StampFor(AccountProfile account)
    {
        var ticks = _clockTicks;
        if (_rng.NextDouble() < LateEventShare)
        {
            ticks -= (long)(_rng.NextDouble() * LateEventMaxGaps * _meanGapTicks);
        }

        ticks -= ticks % TimeSpan.TicksPerMillisecond;
        var stamp = new DateTimeOffset(Math.Max(ticks, DateTimeOffset.MinValue.UtcTicks), TimeSpan.Zero);
        if (stamp < account.LastTimestamp) stamp = account.LastTimestamp;
        account.LastTimestamp = stamp;
        return stamp;
    }

    private Transaction Everyday(AccountProfile account, double drift)
    {
        var onlineShare = Math.Min(MaxOnlineShare, account.OnlineShare + (DriftOnlineShareGain * drift));
        var u = _rng.NextDouble();
        var channel = u < AtmShare ? "atm"
            : u < AtmShare + TransferShare ? "transfer"
            : u < AtmShare + TransferShare + onlineShare ? "online"
            : "card_present";

        SyntheticCatalog.Merchant merchant = channel switch
        {
            "atm" => Atm(account.Home),
            "transfer" => new SyntheticCatalog.Merchant("p2p-transfer", "p2p_transfer", 2.5),
            _ when _rng.NextDouble() < drift * _options.DriftNewMerchantShare => _catalog.DriftMerchants[_rng.Next(_catalog.DriftMerchants.Length)],
            _ when _rng.NextDouble() < FavouriteShare => account.PickFavourite(_rng),
            _ => _catalog.NormalMerchants[_rng.Next(_catalog.NormalMerchants.Length)],
        };

        var median = account.MedianAmount * merchant.AmountFactor * (1.0 + ((_options.DriftAmountScale - 1.0) * drift));
        var amount = Sampling.LogNormal(_rng, median, account.Sigma);
        if (channel == "atm") amount = Math.Max(20, Math.Round(amount / 20) * 20);

        var remote = channel is "online" or "transfer";
        return Build(
            account,
            amount,
            account.Home.Currency,
            merchant,
            channel,
            account.Home,
            device: remote ? account.Devices[_rng.NextDouble() < 0.8 ? 0 : account.Devices.Length - 1] : null,
            withCard: channel != "transfer",
            withEmail: remote);
    }

    private Transaction ScatteredFraud(AccountProfile account)
    {
        var country = _rng.NextDouble() < 0.7
            ? SyntheticCatalog.ForeignCountries[_rng.Next(SyntheticCatalog.ForeignCountries.Length)]
            : account.Home;
        var device = _rng.NextDouble() < 0.7 ? "dev-" + Sampling.Hex(_rng, 12) : account.Devices[0];
        var amount = account.MedianAmount * Sampling.Uniform(_rng, 8, 40);
        var kind = _rng.NextDouble();
        if (kind < 0.2)
        {
            // Cash out at a foreign ATM: in the local currency, with a location, no device.
            var abroad = country == account.Home
                ? SyntheticCatalog.ForeignCountries[_rng.Next(SyntheticCatalog.ForeignCountries.Length)]
                : country;
            return Build(account, Math.Max(20, Math.Round(amount / 20) * 20), abroad.Currency, Atm(abroad), "atm", abroad,
                device: null, withCard: true, withEmail: false);
        }

        var (category, channel) = kind switch
        {
            < 0.5 => ("crypto", "online"),
            < 0.75 => ("wire_transfer", "transfer"),
            < 0.9 => ("gift_cards", "online"),
            _ => ("electronics", "online"),
        };
        var merchants = _catalog.FraudMerchants[category];
        return Build(account, amount, account.Home.Currency, merchants[_rng.Next(merchants.Length)], channel, country,
            device, withCard: channel == "online", withEmail: true);
    }

    private Transaction BurstFraud(Burst burst)
    {
        var category = _rng.Next(3) switch { 0 => "gift_cards", 1 => "electronics", _ => "crypto" };
        var merchants = _catalog.FraudMerchants[category];
        var account = burst.Account;
        return Build(account, account.MedianAmount * Sampling.Uniform(_rng, 3, 15), account.Home.Currency,
            merchants[_rng.Next(merchants.Length)], "online", burst.Country, burst.Device, withCard: true, withEmail: true);
    }

    private SyntheticCatalog.Merchant Atm(SyntheticCatalog.Country country) =>
        new($"atm-{country.Code.ToLowerInvariant()}-{_rng.Next(50):D3}", "cash_withdrawal", 2.0);

    private Transaction Build(
        AccountProfile account,
        double amount,
        string currency,
        SyntheticCatalog.Merchant merchant,
        string channel,
        SyntheticCatalog.Country country,
        string? device,
        bool withCard,
        bool withEmail)
    {
        var id = Sampling.Uuid(_rng).ToString("D");
        var located = channel is "card_present" or "atm";
        double? lat = null;
        double? lon = null;
        if (located)
        {
            lat = Math.Round(country.Lat + (Sampling.StandardNormal(_rng) * LocationJitterDegrees), 4);
            lon = Math.Round(country.Lon + (Sampling.StandardNormal(_rng) * LocationJitterDegrees), 4);
        }

        return new Transaction
        {
            TransactionId = id,
            AccountId = account.AccountId,
            Timestamp = StampFor(account),
            Amount = Math.Max(0.5, Math.Round(amount, 2)),
            Currency = currency,
            MerchantId = merchant.Id,
            MerchantCategory = merchant.Category,
            Channel = channel,
            Country = country.Code,
            CardNumber = withCard ? account.CardNumber : null,
            Email = withEmail ? account.Email : null,
            DeviceId = device,
            Lat = lat,
            Lon = lon,
        };
    }

    /// <summary>A run of quick frauds on one compromised account from one attacker device and country.</summary>
    private sealed class Burst(AccountProfile account, string device, SyntheticCatalog.Country country, int remaining)
    {
        public AccountProfile Account { get; } = account;

        public string Device { get; } = device;

        public SyntheticCatalog.Country Country { get; } = country;

        public int Remaining { get; set; } = remaining;
    }
}
