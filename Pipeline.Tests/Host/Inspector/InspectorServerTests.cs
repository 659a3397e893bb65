using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;
using Pipeline.Host;
using Pipeline.Host.Http;
using Pipeline.Models.Domain;
using Pipeline.Models.Alerting;
using Xunit;

namespace Pipeline.Tests.Host.Inspector;

[Trait("Category", "Integration")]
[Collection(RunningHostCollection.Name)]
public sealed class InspectorServerTests(RunningHost host)
{
    [Fact]
    public async Task Pbm_should_list_guardians_stream_actors_and_user_actors_when_asked_for_the_actor_hierarchy()
    {
        var (code, stdout, _) = await Pbm(host.InspectorAddress, "actor", "hierarchy", "-d", "3", "--token", RunningHost.Token);

        Assert.Equal(0, code);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("/", lines[0].Trim());
        Assert.Contains(lines, l => l.Trim() == "user");
        Assert.Contains(lines, l => l.Trim() == "system");
        Assert.Contains(lines, l => l.Trim().StartsWith("StreamSupervisor-", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Trim().StartsWith("pipeline-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pbm_should_start_the_walk_at_the_given_path_and_refuse_a_missing_one()
    {
        var (code, stdout, _) = await Pbm(host.InspectorAddress, "actor", "hierarchy", "-s", "/user", "-d", "1", "--token", RunningHost.Token);
        var (missingCode, _, missingErr) = await Pbm(host.InspectorAddress, "actor", "hierarchy", "-s", "/user/nobody-here", "--token", RunningHost.Token);

        Assert.Equal(0, code);
        Assert.StartsWith("/user", stdout.Trim());
        Assert.DoesNotContain("\n  system", stdout);
        Assert.Equal(1, missingCode);
        Assert.Contains("no actor at /user/nobody-here", missingErr);
    }

    [Fact]
    public async Task Pbm_should_print_one_row_per_owned_partition_when_asked_for_kafka_lag()
    {
        var (code, stdout, _) = await Pbm(host.InspectorAddress, "kafka", "lag", "--token", RunningHost.Token);

        Assert.Equal(0, code);
        var rows = stdout.Split('\n').Where(l => l.StartsWith("transactions ", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, rows.Count);
        Assert.Equal(["0", "1", "2", "3"], rows.Select(r => r.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]));
        Assert.Contains("total lag", stdout);
    }

    [Fact]
    public async Task Pbm_should_print_the_raw_response_lines_when_json_is_requested()
    {
        var (code, stdout, _) = await Pbm(host.InspectorAddress, "kafka", "lag", "--json", "--token", RunningHost.Token);

        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout.Trim());
        Assert.True(doc.RootElement.GetProperty("final").GetBoolean());
        Assert.Equal("result", doc.RootElement.GetProperty("kind").GetString());
        var partitions = doc.RootElement.GetProperty("data").GetProperty("partitions");
        Assert.Equal(4, partitions.GetArrayLength());
        Assert.All(partitions.EnumerateArray(), p => Assert.True(p.GetProperty("position").GetInt64() >= 0));
    }

    [Fact]
    public async Task Pbm_should_show_group_member_and_state_when_asked_for_kafka_consumers()
    {
        var (code, stdout, _) = await Pbm(host.InspectorAddress, "kafka", "consumers", "--token", RunningHost.Token);

        Assert.Equal(0, code);
        Assert.Contains("group:        pipeline", stdout);
        Assert.Contains("partitions:   4 owned", stdout);
    }

    [Fact]
    public async Task Pbm_should_exit_1_and_say_unauthorized_when_the_token_is_wrong_or_missing()
    {
        var (wrongCode, wrongOut, wrongErr) = await Pbm(host.InspectorAddress, "actor", "system", "--token", "not-the-token");
        var (missingCode, _, missingErr) = await Pbm(host.InspectorAddress, "actor", "system");

        Assert.Equal(1, wrongCode);
        Assert.Equal(string.Empty, wrongOut);
        Assert.Contains("unauthorized", wrongErr);
        Assert.Equal(1, missingCode);
        Assert.Contains("unauthorized", missingErr);
    }

    [Fact]
    public async Task Pbm_should_list_every_palette_with_its_commands_and_switches_when_asked_for_help()
    {
        var (code, stdout, _) = await Pbm(host.InspectorAddress, "help", "--token", RunningHost.Token);

        Assert.Equal(0, code);
        foreach (var phrase in new[] { "actor hierarchy [-d depth] [-s path]", "actor system", "log peek [-c count] [-l level]", "log tail", "stream list", "kafka consumers", "kafka lag", "model promote [-v version] [--confirm]", "model rollback [--confirm]", "drift show", "alerts tail" })
        {
            Assert.Contains(phrase, stdout);
        }
    }

    [Fact]
    public async Task Pbm_should_show_the_registry_versions_and_refuse_a_rollback_with_no_earlier_version()
    {
        var (historyCode, history, _) = await Pbm(host.InspectorAddress, "model", "history", "--token", RunningHost.Token);
        var (showCode, show, _) = await Pbm(host.InspectorAddress, "model", "show", "--token", RunningHost.Token);
        var (rollbackCode, _, rollbackError) = await Pbm(host.InspectorAddress, "model", "rollback", "--confirm", "--token", RunningHost.Token);
        var (hierarchyCode, hierarchy, _) = await Pbm(host.InspectorAddress, "actor", "hierarchy", "-d", "3", "--token", RunningHost.Token);

        Assert.Equal(0, historyCode);
        Assert.Contains("active", history);
        Assert.Equal(0, showCode);
        Assert.Contains("1", show);
        Assert.Equal(1, rollbackCode);
        Assert.Contains("no earlier promoted version", rollbackError);
        Assert.Equal(0, hierarchyCode);
        Assert.Contains("model-registry", hierarchy);
        Assert.Contains("retraining", hierarchy);
    }

    [Fact]
    public async Task Pbm_should_show_name_uptime_and_memory_when_asked_for_the_actor_system()
    {
        var (code, stdout, _) = await Pbm(host.InspectorAddress, "actor", "system", "--token", RunningHost.Token);

        Assert.Equal(0, code);
        Assert.Contains("name:       pipeline", stdout);
        Assert.Contains("address:    akka://pipeline", stdout);
        Assert.Contains("uptime:", stdout);
        Assert.Contains("managed", stdout);
    }

    [Fact]
    public async Task Pbm_should_show_recent_host_logs_when_peeking_at_the_log()
    {
        var (code, stdout, _) = await Pbm(host.InspectorAddress, "log", "peek", "-c", "500", "--token", RunningHost.Token);

        Assert.Equal(0, code);
        Assert.Contains("Pipeline started", stdout);
        Assert.Contains("Inspector listening on", stdout);
    }

    [Fact]
    public async Task Pbm_should_list_the_pipeline_stream_islands_when_asked_for_streams()
    {
        var (code, stdout, _) = await Pbm(host.InspectorAddress, "stream", "list", "--token", RunningHost.Token);

        Assert.Equal(0, code);
        Assert.Contains("transaction graph: running", stdout);
        Assert.Matches(@"/user/StreamSupervisor-\d+ \(\d+ running islands\)", stdout);
        Assert.Contains("  pipeline-", stdout);
    }

    [Fact]
    public async Task Pbm_should_exit_1_naming_the_switch_when_a_switch_is_unknown()
    {
        var (code, _, stderr) = await Pbm(host.InspectorAddress, "kafka", "lag", "-x", "--token", RunningHost.Token);

        Assert.Equal(1, code);
        Assert.Contains("-x", stderr);
    }

    [Fact]
    public async Task Pbm_should_exit_1_with_one_line_when_nothing_listens()
    {
        var (code, _, stderr) = await Pbm($"127.0.0.1:{Infrastructure.FreePort.Next()}", "help");

        Assert.Equal(1, code);
        Assert.Contains("cannot reach the inspector", stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Inspector_should_not_be_reachable_on_a_non_loopback_address_by_default()
    {
        var addresses = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            .ToList();
        Assert.NotEmpty(addresses);

        foreach (var address in addresses)
        {
            using var client = new TcpClient();
            var ex = await Assert.ThrowsAnyAsync<SocketException>(() => client.ConnectAsync(address, host.InspectorPort).WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(SocketError.ConnectionRefused, ex.SocketErrorCode);
        }

        using var loopback = new TcpClient();
        await loopback.ConnectAsync(IPAddress.Loopback, host.InspectorPort);
        Assert.True(loopback.Connected);
    }

    [Fact]
    public async Task Pbm_and_the_status_api_should_show_the_alerts_the_graph_stored_with_their_delivery_state()
    {
        // Until alerts were read from the store, alerts tail answered "alerting is not available" in every host.
        var raised = Alert.From(Scored("tx-status-1", 0.93, true), DateTimeOffset.UtcNow.AddMinutes(1));
        var store = host.Runtime.AlertStore!;
        await store.WriteAsync([raised], ["console"], [], DateTimeOffset.UtcNow, CancellationToken.None);

        var (code, tail, _) = await Pbm(host.InspectorAddress, "alerts", "tail", "-c", "1", "--token", RunningHost.Token);
        using var http = new HttpClient();
        using var doc = JsonDocument.Parse(await http.GetStringAsync($"{host.HttpBase}/api/status"));

        Assert.Equal(0, code);
        Assert.Contains("tx-status-1", tail);
        Assert.Contains("HIGH", tail);
        Assert.Contains("[amount_zscore, new_country]", tail);
        Assert.Contains("console: ", tail);
        var alerts = doc.RootElement.GetProperty("alerts");
        Assert.Equal("tx-status-1", alerts[0].GetProperty("transactionId").GetString());
        Assert.Equal("amount_zscore", alerts[0].GetProperty("reasons")[0].GetString());
        Assert.StartsWith("console: ", alerts[0].GetProperty("delivery").GetString());
        Assert.Equal(4, doc.RootElement.GetProperty("lag").GetProperty("partitions").GetArrayLength());
    }

    internal static ScoredTransaction Scored(string id, double score, bool anomaly) => new()
    {
        Timestamp = DateTimeOffset.UtcNow,
        TransactionId = id,
        AccountId = "acct",
        Amount = 10,
        Currency = "EUR",
        Score = score,
        IsAnomaly = anomaly,
        Severity = anomaly ? "HIGH" : "LOW",
        Threshold = 0.8,
        ModelVersion = "hst-test",
        Features = new Dictionary<string, double>(),
        Reasons = anomaly ? ["amount_zscore", "new_country"] : [],
    };

    private static async Task<(int Code, string Stdout, string Stderr)> Pbm(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await Program.RunAsync(["pbm", .. args], stdout, stderr, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return (code, stdout.ToString(), stderr.ToString());
    }
}
