namespace Pipeline.Models.Anomaly.Rules;

/// <summary>
/// What the rules see of one transaction: its amount, the account's history before it, the
/// velocity count, and whether its country, merchant and device are new for the account. Built by
/// the account-window stage; the history fields describe the account <em>before</em> this
/// transaction so a transaction never dilutes its own deviation.
/// </summary>
public readonly record struct TransactionContext
{
    /// <summary>Transaction amount, positive and finite.</summary>
    public required double Amount { get; init; }

    /// <summary>Mean amount of the account's earlier transactions (0 when there are none).</summary>
    public required double HistoryMean { get; init; }

    /// <summary>Standard deviation of the earlier amounts (0 when fewer than two).</summary>
    public required double HistoryStdDev { get; init; }

    /// <summary>Number of earlier transactions behind <see cref="HistoryMean"/> and <see cref="HistoryStdDev"/>.</summary>
    public required long HistoryCount { get; init; }

    /// <summary>Transactions of the account inside the velocity window, this one included.</summary>
    public required int VelocityCount { get; init; }

    /// <summary>True when the account has never transacted from <see cref="Country"/> before.</summary>
    public bool IsNewCountry { get; init; }

    /// <summary>True when the account has never paid <see cref="MerchantId"/> before.</summary>
    public bool IsNewMerchant { get; init; }

    /// <summary>True when the account has never used <see cref="DeviceId"/> before (false when there is no device).</summary>
    public bool IsNewDevice { get; init; }

    /// <summary>ISO 3166 alpha-2 country, for reason texts.</summary>
    public string? Country { get; init; }

    /// <summary>Merchant identifier, for reason texts.</summary>
    public string? MerchantId { get; init; }

    /// <summary>Device identifier, for reason texts.</summary>
    public string? DeviceId { get; init; }
}
