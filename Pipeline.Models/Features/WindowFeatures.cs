namespace Pipeline.Models.Features;

/// <summary>
/// The aggregates of one account window as of one transaction, that transaction included.
/// <see cref="StdDev"/> is the population standard deviation (0 for a single transaction).
/// </summary>
/// <param name="Length">The window's length.</param>
/// <param name="Count">Transactions in the window.</param>
/// <param name="Sum">Sum of their amounts.</param>
/// <param name="Mean">Mean amount (0 when <paramref name="Count"/> is 0, which only a replayed or very late record can see).</param>
/// <param name="StdDev">Population standard deviation of the amounts.</param>
/// <param name="DistinctMerchants">Merchants paid in the window, capped at the known-merchant capacity.</param>
/// <param name="DistinctCountries">Countries transacted from in the window, capped at the known-country capacity.</param>
public readonly record struct WindowFeatures(
    TimeSpan Length,
    int Count,
    double Sum,
    double Mean,
    double StdDev,
    int DistinctMerchants,
    int DistinctCountries);
