using Confluent.Kafka;
using Pipeline.Host.Cli;
using Pipeline.Models.Synthetic;
using Xunit;

namespace Pipeline.Tests.Host.Cli;

public sealed class ProduceCommandTests
{
    private static readonly DateTimeOffset s_now = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Func<string, string?> s_noEnvironment = _ => null;

    [Fact]
    public void ParseOptions_should_fail_naming_the_variable_when_no_bootstrap_is_given()
    {
        var e = Assert.Throws<CommandLineException>(() => Parse([]));

        Assert.Contains("KAFKA_BOOTSTRAP_SERVERS", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseOptions_should_take_bootstrap_from_the_environment_when_the_option_is_absent()
    {
        var options = ProduceCommand.ParseOptions(CommandLineArgs.Parse([]), name => name == "KAFKA_BOOTSTRAP_SERVERS" ? "kafka:9092" : null, s_now);

        Assert.Equal("kafka:9092", options.BootstrapServers);
    }

    [Fact]
    public void ParseOptions_should_apply_the_documented_defaults_when_only_bootstrap_is_given()
    {
        var options = Parse(["--bootstrap", "localhost:9092"]);

        Assert.Equal(("transactions", "transaction-labels", 1000.0), (options.TransactionsTopic, options.LabelsTopic, options.RatePerSecond));
        Assert.Equal((8000, 1000, 1000), (options.Generator.NormalCount, options.Generator.DriftCount, options.Generator.AttackCount));
        Assert.Equal((200, 42L, TimeSpan.FromSeconds(30)), (options.Generator.Accounts, options.Generator.Seed, options.Generator.LabelDelay));
    }

    [Fact]
    public void ParseOptions_should_read_every_option_when_all_are_given()
    {
        var options = Parse([
            "--bootstrap", "b:1", "--count", "60", "--phases", "normal:30,drift:20,attack:10", "--accounts", "7", "--seed", "9",
            "--rate", "0", "--topic", "t", "--labels-topic", "l", "--label-delay", "2m", "--attack-fraction", "0.5",
            "--mean-interval", "250ms", "--start", "2024-01-02T03:04:05+01:00",
        ]);

        var g = options.Generator;
        Assert.Equal(("b:1", "t", "l", 0.0), (options.BootstrapServers, options.TransactionsTopic, options.LabelsTopic, options.RatePerSecond));
        Assert.Equal((30, 20, 10, 7, 9L), (g.NormalCount, g.DriftCount, g.AttackCount, g.Accounts, g.Seed));
        Assert.Equal((TimeSpan.FromMinutes(2), 0.5, TimeSpan.FromMilliseconds(250)), (g.LabelDelay, g.AttackFraction, g.MeanInterArrival));
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(1)), g.Start);
    }

    [Fact]
    public void ParseOptions_should_split_count_80_10_10_when_phases_are_not_given()
    {
        var g = Parse(["--bootstrap", "b:1", "--count", "1000"]).Generator;

        Assert.Equal((800, 100, 100), (g.NormalCount, g.DriftCount, g.AttackCount));
    }

    [Theory]
    [InlineData("normal:10,drift:x")]
    [InlineData("normal:10,normal:5")]
    [InlineData("weekend:10")]
    [InlineData("normal=10")]
    [InlineData("normal:-1")]
    public void ParsePhases_should_fail_with_a_usage_error_when_phases_are_malformed(string phases)
    {
        Assert.Throws<CommandLineException>(() => Parse(["--bootstrap", "b:1", "--phases", phases]));
    }

    [Fact]
    public void ParseOptions_should_fail_when_phases_do_not_add_up_to_count()
    {
        var e = Assert.Throws<CommandLineException>(() => Parse(["--bootstrap", "b:1", "--count", "100", "--phases", "normal:50,attack:10"]));

        Assert.Contains("--count", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2024-01-01T00:00:00")]
    [InlineData("yesterday")]
    public void ParseOptions_should_fail_when_start_has_no_offset_or_is_not_a_date(string start)
    {
        Assert.Throws<CommandLineException>(() => Parse(["--bootstrap", "b:1", "--start", start]));
    }

    [Fact]
    public void ParseOptions_should_start_early_enough_that_every_transaction_and_label_is_in_the_past()
    {
        var options = Parse(["--bootstrap", "b:1", "--count", "5000", "--label-delay", "10m"]);

        var last = TransactionGenerator.Generate(options.Generator).Last();

        Assert.True(last.LabelDueAt < s_now, $"{last.LabelDueAt} is not before {s_now}");
    }

    [Fact]
    public async Task RunAsync_should_fail_with_a_usage_error_when_an_option_is_unknown()
    {
        var args = CommandLineArgs.Parse(["--bootstrap", "b:1", "--colour", "red"]);

        var e = await Assert.ThrowsAsync<CommandLineException>(() =>
            ProduceCommand.RunAsync(args, TextWriter.Null, TextWriter.Null, s_noEnvironment, TimeProvider.System, CancellationToken.None));

        Assert.Contains("--colour", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task RunAsync_should_produce_and_print_a_summary_when_a_broker_is_reachable()
    {
        var config = new AdminClientConfig();
        config.Set("test.mock.num.brokers", "1");
        using var mockClusterOwner = new AdminClientBuilder(config).Build();
        var bootstrap = string.Join(",", mockClusterOwner.GetMetadata(TimeSpan.FromSeconds(5)).Brokers.Select(b => $"{b.Host}:{b.Port}"));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var args = CommandLineArgs.Parse(["--count", "300", "--rate", "0", "--accounts", "20"]);

        var exit = await ProduceCommand.RunAsync(
            args, stdout, stderr, name => name == "KAFKA_BOOTSTRAP_SERVERS" ? bootstrap : null, TimeProvider.System, CancellationToken.None);

        var output = stdout.ToString();
        Assert.Equal(0, exit);
        Assert.Contains("produced 300 transactions", output, StringComparison.Ordinal);
        Assert.Contains("normal 240, drift 30, attack 30", output, StringComparison.Ordinal);
        Assert.Contains("labels 300", output, StringComparison.Ordinal);
        Assert.Contains("delivered 600, failed 0", output, StringComparison.Ordinal);
    }

    private static Pipeline.Host.Producing.SyntheticProducerOptions Parse(string[] args) =>
        ProduceCommand.ParseOptions(CommandLineArgs.Parse(args), s_noEnvironment, s_now);
}
