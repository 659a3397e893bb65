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
    public async Task Status_page_should_show_throughput_lag_rows_histogram_alert_reasons_drift_and_model_versions_in_a_browser_after_a_short_run()
    {
        // A drift in a short run is not deterministic: the event enters where the drift stage's does (the lifecycle
        // recorder's observer). The model version comes from the registry through the recorder on its own.
        await Graph.Assembly.TransactionGraphTests.WaitUntil(() => host.Service<StatusSampler>().Samples().Count >= 2, TimeSpan.FromSeconds(30));
        host.Service<ILifecycleObserver>().OnDrift(new Pipeline.Graph.Drift.DriftEvent(DateTimeOffset.UtcNow, "adwin", "amount_zscore", 0.42, "window 900 -> 300"), "1");
        await Graph.Assembly.TransactionGraphTests.WaitUntil(() => host.Service<StatusSampler>().Samples().Count(s => s.StoredPerSecond > 0) >= 2, TimeSpan.FromSeconds(30));

        var feed = host.Service<StatusFeed>();
        for (var i = 0; i < 40; i++) feed.RecordScored(InspectorServerTests.Scored($"tx-page-{i}", (i % 20) / 20.0 + 0.01, i == 39));
        // Created a minute ahead, so the live traffic's own alerts (the host is shared and keeps running) cannot push it out of the recent list.
        var alert = Pipeline.Models.Alerting.Alert.From(InspectorServerTests.Scored("tx-page-alert", 0.97, true), DateTimeOffset.UtcNow.AddMinutes(1));
        await host.Runtime.AlertStore!.WriteAsync([alert], ["console"], [], DateTimeOffset.UtcNow, CancellationToken.None);

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
        var driftBody = DriftBody().Match(dom).Groups[1].Value;
        Assert.Matches("<td>adwin</td><td>amount_zscore</td><td>[^<]*model 1", driftBody);
        Assert.Contains("class=\"drift-marker\"", dom);
        var modelsBody = ModelsBody().Match(dom).Groups[1].Value;
        Assert.Matches(@"<tr><td>1</td><td class=""state-running"">active</td><td>initial</td>", modelsBody);
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

    [GeneratedRegex(@"<table id=""drift-table"">.*?<tbody>(.*?)</tbody>", RegexOptions.Singleline)]
    private static partial Regex DriftBody();

    [GeneratedRegex(@"<table id=""models-table"">.*?<tbody>(.*?)</tbody>", RegexOptions.Singleline)]
    private static partial Regex ModelsBody();
}
