using Confluent.Kafka;
using Pipeline.Host;
using Xunit;

namespace Pipeline.Tests.Host.Inspector;

[Trait("Category", "Integration")]
[Collection(RunningHostCollection.Name)]
public sealed class DlqPaletteTests(RunningHost host)
{
    private const string Card = "4111111111111111";

    [Fact]
    public async Task Pbm_should_list_a_dead_letter_without_its_bytes_and_redrive_it_only_with_confirm()
    {
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = host.Runtime.BootstrapServers }).Build())
        {
            await producer.ProduceAsync(host.Runtime.Options.Graph.TransactionsTopic, new Message<string, string> { Key = "acct-dlq", Value = $"{{\"card_number\":\"{Card}\", broken" });
        }

        var show = await ShowUntil("decode/not_json", TimeSpan.FromSeconds(60));
        var (refusedCode, _, refused) = await Pbm("dlq", "redrive", "-r", "not_json");
        var (code, redriven, stderr) = await Pbm("dlq", "redrive", "-r", "not_json", "-n", "1", "--confirm");

        Assert.Contains("transactions-dlq/", show);
        Assert.DoesNotContain(Card, show);
        Assert.Equal(1, refusedCode);
        Assert.Contains("--confirm", refused);
        Assert.True(code == 0, stderr);
        Assert.Contains("re-drove 1 records to transactions", redriven);
        Assert.DoesNotContain(Card, redriven);
    }

    private async Task<string> ShowUntil(string expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var (code, stdout, stderr) = await Pbm("dlq", "show", "-r", "not_json");
            Assert.True(code == 0, stderr);
            if (stdout.Contains(expected, StringComparison.Ordinal) || DateTime.UtcNow > deadline) return stdout;
            await Task.Delay(200);
        }
    }

    private async Task<(int Code, string Stdout, string Stderr)> Pbm(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await Program.RunAsync(["pbm", host.InspectorAddress, .. args, "--token", RunningHost.Token], stdout, stderr, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        return (code, stdout.ToString(), stderr.ToString());
    }
}
