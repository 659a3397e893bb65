using System.Text.Json;
using Pipeline.Tests.Host.Inspector;
using Pipeline.Tests.Infrastructure;
using Xunit;

namespace Pipeline.Tests.Host.Deploy;

[Trait("Category", "Integration")]
[Collection(RunningHostCollection.Name)]
public sealed class PrometheusScrapeTests(RunningHost host) : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("prometheus-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Prometheus_should_scrape_the_host_and_hold_pipeline_metrics_when_pointed_at_its_metrics_endpoint()
    {
        var port = FreePort.Next();
        var config = Path.Combine(_dir.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: pipeline
                static_configs:
                  - targets: ["127.0.0.1:{host.HttpPort}"]
            """);
        var (checkCode, checkOutput) = ServerProcess.Run("promtool", ["check", "config", config]);
        Assert.True(checkCode == 0, checkOutput);

        using var prometheus = ServerProcess.Start("prometheus", [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(_dir.FullName, "data")}", $"--web.listen-address=127.0.0.1:{port}"]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var health = await Poll(http, "/api/v1/targets", d => d.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
            .Select(t => t.GetProperty("health").GetString()).FirstOrDefault(h => h == "up"), prometheus);
        var stored = await Poll(http, "/api/v1/query?query=pipeline_records_total%7Bstage%3D%22stored%22%7D", d =>
        {
            var result = d.RootElement.GetProperty("data").GetProperty("result");
            return result.GetArrayLength() > 0 ? result[0].GetProperty("value")[1].GetString() : null;
        }, prometheus);

        Assert.Equal("up", health);
        Assert.True(double.Parse(stored, System.Globalization.CultureInfo.InvariantCulture) > 0, $"pipeline_records_total{{stage=stored}} = {stored}");
    }

    private static async Task<string> Poll(HttpClient http, string path, Func<JsonDocument, string?> read, ServerProcess prometheus)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            Assert.True(prometheus.IsRunning, $"prometheus exited: {prometheus.Output}");
            try
            {
                using var doc = JsonDocument.Parse(await http.GetStringAsync(path));
                var value = read(doc);
                if (value is not null) return value;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Prometheus never answered {path} as expected: {prometheus.Output}");
            await Task.Delay(200);
        }
    }
}
