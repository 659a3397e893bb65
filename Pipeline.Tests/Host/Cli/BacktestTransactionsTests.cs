using System.Text;
using Pipeline.Host.Cli;
using Pipeline.Models.Domain;
using Pipeline.Models.Synthetic;
using Xunit;

namespace Pipeline.Tests.Host.Cli;

public sealed class BacktestTransactionsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("backtest-jsonl-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Backtest_should_report_auc_well_above_chance_when_given_labelled_transactions_as_jsonl()
    {
        var input = Write(Generate(), "tx.jsonl");
        var scores = Path.Combine(_dir.FullName, "scores.txt");
        var stdout = new StringWriter();

        var code = await BacktestCommand.RunAsync(CommandLineArgs.Parse(["--input", input, "--label", "is_fraud", "--scores-out", scores]), stdout, TextWriter.Null, CancellationToken.None);

        Assert.Equal(0, code);
        var auc = double.Parse(stdout.ToString().Split('\n').Single(l => l.StartsWith("ROC AUC:", StringComparison.Ordinal))["ROC AUC:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(auc > 0.75, $"ROC AUC {auc}");
        Assert.Equal(File.ReadLines(input).Count(), File.ReadLines(scores).Count());
    }

    [Fact]
    public async Task Backtest_should_exit_1_naming_the_line_when_a_transaction_is_invalid()
    {
        var lines = Generate().Take(10).ToList();
        lines.Insert(4, "{\"transaction_id\": 42}");
        var input = Write(lines, "bad.jsonl");
        var stderr = new StringWriter();

        var code = await BacktestCommand.RunAsync(CommandLineArgs.Parse(["--input", input, "--label", "is_fraud"]), TextWriter.Null, stderr, CancellationToken.None);

        Assert.Equal(1, code);
        Assert.Contains("bad.jsonl:5", stderr.ToString());
    }

    [Fact]
    public async Task Backtest_should_exit_1_when_the_label_field_is_missing()
    {
        var input = Write(Generate().Take(3), "nolabel.jsonl");
        var stderr = new StringWriter();

        var code = await BacktestCommand.RunAsync(CommandLineArgs.Parse(["--input", input, "--label", "chargeback"]), TextWriter.Null, stderr, CancellationToken.None);

        Assert.Equal(1, code);
        Assert.Contains("nolabel.jsonl:1", stderr.ToString());
        Assert.Contains("chargeback", stderr.ToString());
    }

    private static IEnumerable<string> Generate() =>
        TransactionGenerator.Generate(new GeneratorOptions
        {
            Seed = 21,
            Accounts = 40,
            NormalCount = 3000,
            DriftCount = 0,
            AttackCount = 1000,
            AttackFraction = 0.2,
            Start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            MeanInterArrival = TimeSpan.FromSeconds(20),
        }).Select(g => Encoding.UTF8.GetString(TransactionJson.Serialize(g.Transaction with { ExtraJson = $"{{\"is_fraud\":{(g.IsAnomaly ? "true" : "false")}}}" })));

    private string Write(IEnumerable<string> lines, string name)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllLines(path, lines);
        return path;
    }
}
