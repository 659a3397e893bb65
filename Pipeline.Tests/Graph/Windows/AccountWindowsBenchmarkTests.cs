using Pipeline.Models.Domain;
using Pipeline.Models.Features;
using Pipeline.Tests.Models.Features;
using Pipeline.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using static Pipeline.Tests.Graph.Windows.WindowsTestKit;

namespace Pipeline.Tests.Graph.Windows;

/// <summary>
/// The memory budget: state per active account with the default windows, measured at
/// 100,000 accounts. Throughput is measured by <c>bench --windows</c>, never asserted by a test.
/// </summary>
[Trait("Category", "Benchmark")]
[Collection(ProcessMemoryCollection.Name)]
public sealed class AccountWindowsBenchmarkTests(ITestOutputHelper output)
{
    private const int Accounts = 100_000;

    [Fact]
    public void AccountState_should_stay_within_one_kilobyte_per_active_account_when_100000_accounts_transact_five_times_a_day()
    {
        var options = Settings().ToFeatureOptions();
        var transactions = DayOfTraffic(perAccount: 5);
        var ids = Enumerable.Range(0, Accounts).Select(i => "acct-" + i).ToArray(); // the keys exist anyway (they arrive with the records)
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var states = new Dictionary<string, AccountState>(Accounts, StringComparer.Ordinal);
        var offset = 0L;
        foreach (var (account, tx) in transactions)
        {
            if (!states.TryGetValue(ids[account], out var state)) states.Add(ids[account], state = new AccountState(options));
            state.Process(tx, new RecordPosition("transactions", account % 16, offset++));
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        var perAccount = (after - before) / (double)Accounts;
        output.WriteLine($"{perAccount:F0} bytes per account ({Accounts} accounts, {transactions.Count} transactions, default windows)");
        GC.KeepAlive(states);
        GC.KeepAlive(transactions);

        Assert.True(perAccount <= 1024, $"{perAccount:F0} bytes per account");
    }

    /// <summary>A day of Poisson-ish traffic: every account transacts about <paramref name="perAccount"/> times, in event-time order.</summary>
    private static List<(int Account, Transaction Tx)> DayOfTraffic(int perAccount)
    {
        var random = new Random(3);
        var merchants = Enumerable.Range(0, 500).Select(i => "merchant-" + i).ToArray();
        var ids = Enumerable.Range(0, Accounts).Select(i => "acct-" + i).ToArray();
        var count = Accounts * perAccount;
        var result = new List<(int, Transaction)>(count);
        for (var i = 0; i < count; i++)
        {
            var at = FeatureTestData.Start.AddMilliseconds(i * (86_400_000.0 / count));
            var account = random.Next(Accounts);
            result.Add((account, new Transaction
            {
                TransactionId = "t",
                AccountId = ids[account],
                Timestamp = at,
                Amount = 5 + (random.NextDouble() * 100),
                Currency = "EUR",
                MerchantId = merchants[random.Next(merchants.Length)],
                MerchantCategory = "grocery",
                Channel = "online",
                Country = random.Next(20) == 0 ? "FR" : "DE",
                DeviceId = random.Next(10) == 0 ? "dev-2" : "dev-1",
            }));
        }

        return result;
    }
}
