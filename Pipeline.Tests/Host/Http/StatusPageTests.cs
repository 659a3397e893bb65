using System.Diagnostics;
using System.Text.RegularExpressions;
using Pipeline.Host.Http;
using Pipeline.Tests.Host.Inspector;
using Xunit;

namespace Pipeline.Tests.Host.Http;

[Trait("Category", "Integration")]
[Collection(RunningHostCollection.Name)]
public sealed partial class StatusPageTests(RunningHost host)
{
    [Fact]
    public async Task Status_page_should_show_throughput_lag_rows_histogram_and_alert_reasons_in_a_browser_after_a_short_run()
    {
        var feed = host.Service<StatusFeed>();
        for (var i = 0; i < 40; i++) feed.RecordScored(InspectorServerTests.Scored($"tx-page-{i}", (i % 20) / 20.0 + 0.01, i == 39));
        await Graph.Assembly.TransactionGraphTests.WaitUntil(() => host.Service<StatusSampler>().Samples().Count(s => s.StoredPerSecond > 0) >= 2, TimeSpan.FromSeconds(30));

        var dom = await DumpDom($"{host.HttpBase}/status");

        var throughput = ThroughputCell().Match(dom);
        Assert.True(throughput.Success, "the throughput figure is missing");
        Assert.Matches(@"^[\d,]+$", throughput.Groups[1].Value);
        var lagBody = LagBody().Match(dom).Groups[1].Value;
        Assert.Equal(4, Regex.Matches(lagBody, "<td>transactions</td>").Count);
        Assert.True(Regex.Matches(dom, @"<rect [^>]*data-count=""[1-9]").Count >= 10, "the score histogram has no bars");
        Assert.Contains("amount_zscore, new_country", dom);
        Assert.Contains("<polyline", dom);
        Assert.Contains("graph running", dom);
    }

    private static async Task<string> DumpDom(string url)
    {
        var profile = Directory.CreateTempSubdirectory("chromium-");
        try
        {
            var psi = new ProcessStartInfo("chromium")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-dev-shm-usage", $"--user-data-dir={profile.FullName}", "--virtual-time-budget=5000", "--dump-dom", url })
            {
                psi.ArgumentList.Add(a);
            }

            using var process = Process.Start(psi) ?? throw new InvalidOperationException("chromium did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
            Assert.True(process.ExitCode == 0, $"chromium exited {process.ExitCode}: {await stderr}");
            return await stdout;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"id=""throughput"">([^<]*)<")]
    private static partial Regex ThroughputCell();

    [GeneratedRegex(@"<table id=""lag-table"">.*?<tbody>(.*?)</tbody>", RegexOptions.Singleline)]
    private static partial Regex LagBody();
}
