using Pipeline.Models.Domain;
using Pipeline.Models.Features;

namespace Pipeline.Tests.Models.Features;

/// <summary>Transactions and options for the account-feature tests.</summary>
internal static class FeatureTestData
{
    public static readonly DateTimeOffset Start = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);

    public static AccountFeatureOptions Options(int buckets = 60, TimeSpan? lateness = null, int merchants = 32, int countries = 16, int devices = 8) =>
        new([TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), TimeSpan.FromHours(24)], buckets, lateness ?? TimeSpan.FromSeconds(30), merchants, countries, devices);

    public static Transaction Tx(DateTimeOffset at, double amount, string merchant = "m1", string country = "DE", string? device = null, string account = "acct-1") => new()
    {
        TransactionId = Guid.NewGuid().ToString(),
        AccountId = account,
        Timestamp = at,
        Amount = amount,
        Currency = "EUR",
        MerchantId = merchant,
        MerchantCategory = "grocery",
        Channel = "online",
        Country = country,
        DeviceId = device,
    };

    public static RecordPosition At(long offset, int partition = 0) => new("transactions", partition, offset);
}
