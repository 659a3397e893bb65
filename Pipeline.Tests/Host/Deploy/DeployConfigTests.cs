using System.Text.Json;
using Pipeline.Tests.Infrastructure;
using Xunit;

namespace Pipeline.Tests.Host.Deploy;

[Trait("Category", "Integration")]
public sealed class DeployConfigTests
{
    // What an operator must export before `docker compose up`: the host refuses to start without a PII key.
    private static readonly Dictionary<string, string> ComposeEnvironment = new() { ["PIPELINE_PII_KEY"] = new string('k', 40) };

    [Fact]
    public void Compose_file_should_pass_docker_compose_config()
    {
        var (code, output) = ServerProcess.Run("docker-compose", ["-f", RepositoryFile.At("docker-compose.yml"), "config", "-q"], environment: ComposeEnvironment);

        Assert.True(code == 0, output);
    }

    [Fact]
    public void Compose_file_should_refuse_to_render_when_no_pii_key_is_exported()
    {
        var (code, output) = ServerProcess.Run("docker-compose", ["-f", RepositoryFile.At("docker-compose.yml"), "config", "-q"], environment: new Dictionary<string, string> { ["PIPELINE_PII_KEY"] = "" });

        Assert.NotEqual(0, code);
        Assert.Contains("PIPELINE_PII_KEY", output);
    }

    [Fact]
    public void Compose_file_should_start_every_service_after_its_dependencies_are_healthy_or_done()
    {
        var (code, output) = ServerProcess.Run("docker-compose", ["-f", RepositoryFile.At("docker-compose.yml"), "config"], environment: ComposeEnvironment);
        Assert.Equal(0, code);

        foreach (var service in new[] { "kafka", "kafka-init", "timescaledb", "redis", "host", "producer", "prometheus", "grafana" })
        {
            Assert.Contains($"\n  {service}:\n", output);
        }

        Assert.Contains("service_completed_successfully", output);
        Assert.Contains("service_healthy", output);
        Assert.Contains("deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml", output);
        Assert.Contains("deploy/grafana/provisioning:/etc/grafana/provisioning", output);
    }

    [Fact]
    public void Prometheus_config_should_pass_promtool_check_config()
    {
        var (code, output) = ServerProcess.Run("promtool", ["check", "config", RepositoryFile.At("Pipeline.Host", "deploy", "prometheus", "prometheus.yml")]);

        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS", output);
    }

    [Fact]
    public void Grafana_dashboard_should_chart_every_operator_signal_from_the_provisioned_data_source()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(RepositoryFile.At("Pipeline.Host", "deploy", "grafana", "dashboards", "pipeline.json")));
        var datasource = File.ReadAllText(RepositoryFile.At("Pipeline.Host", "deploy", "grafana", "provisioning", "datasources", "prometheus.yml"));
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToList();

        var exprs = panels.SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToList();
        foreach (var metric in new[] { "pipeline_records_total", "pipeline_consumer_lag", "pipeline_end_to_end_latency_seconds_bucket", "pipeline_anomalies_total", "pipeline_anomaly_score_bucket", "pipeline_drift_events_total", "pipeline_model_version", "pipeline_alert_deliveries_total" })
        {
            Assert.Contains(exprs, e => e.Contains(metric, StringComparison.Ordinal));
        }

        var uids = panels.Select(p => p.GetProperty("datasource").GetProperty("uid").GetString()).Distinct().ToList();
        Assert.Equal(["pipeline-prometheus"], uids);
        Assert.Contains("uid: pipeline-prometheus", datasource);
    }

    [Fact]
    public void Pbm_launcher_should_run_the_pbm_verb_of_the_installed_host_and_be_copied_by_the_dockerfile()
    {
        var launcher = File.ReadAllText(RepositoryFile.At("Pipeline.Host", "pbm"));
        var dockerfile = File.ReadAllText(RepositoryFile.At("Pipeline.Host", "Dockerfile"));

        Assert.StartsWith("#!/bin/sh", launcher);
        Assert.Contains("exec dotnet /app/Pipeline.Host.dll pbm \"$@\"", launcher);
        Assert.Contains("/usr/local/bin/pbm", dockerfile);
        Assert.Contains("chmod 0755 /usr/local/bin/pbm", dockerfile);
    }
}
