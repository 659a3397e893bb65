using Akka.Configuration;
using Pipeline.Graph.Retraining;
using Pipeline.Tests.Graph.Scoring;
using Xunit;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Graph.Retraining;

public sealed class LifecycleSettingsTests
{
    [Fact]
    public void Create_should_read_every_key_when_given_the_reference_file_alone()
    {
        var settings = LifecycleSettings.Create(ReferenceConfigFile.Load());
        var persistence = PersistenceSettings.Create(ReferenceConfigFile.Load());

        Assert.Equal(5000, settings.SampleSize);
        Assert.Equal(TimeSpan.FromMinutes(2), settings.TrainingTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.BackoffMin);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.BackoffMax);
        Assert.Equal(2000, settings.ShadowEvents);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.ShadowLabelWait);
        Assert.Equal(1.5, settings.Shadow.MaxAlertRateRatio);
        Assert.True(settings.WatchAmountZScore);
        Assert.Equal("sqlite", persistence.Provider);
        Assert.Equal(string.Empty, persistence.ConnectionString);
    }

    [Fact]
    public void Create_should_name_the_key_when_the_backoff_cap_is_below_its_minimum()
    {
        var config = ReferenceConfigFile.With("pipeline.lifecycle.backoff { min = 10s, max = 1s }");

        var error = Assert.Throws<ConfigurationException>(() => LifecycleSettings.Create(config));

        Assert.Contains("pipeline.lifecycle.backoff.max", error.Message);
    }

    [Fact]
    public void ToAkkaConfig_should_configure_the_sql_journal_snapshot_store_and_query_for_postgresql_with_a_quoted_connection_string()
    {
        var settings = PersistenceSettings.Create(ReferenceConfigFile.With("pipeline.persistence.provider = postgresql"))
            .WithConnectionString("Host=db;Password=p\"w;Database=x");

        var akka = settings.ToAkkaConfig();

        Assert.Equal("akka.persistence.journal.sql", akka.GetString("akka.persistence.journal.plugin"));
        Assert.Equal("akka.persistence.snapshot-store.sql", akka.GetString("akka.persistence.snapshot-store.plugin"));
        foreach (var block in new[] { "akka.persistence.journal.sql", "akka.persistence.snapshot-store.sql", "akka.persistence.query.journal.sql" })
        {
            Assert.Equal("PostgreSQL.15", akka.GetString($"{block}.provider-name"));
            Assert.Equal("Host=db;Password=p\"w;Database=x", akka.GetString($"{block}.connection-string"));
            Assert.Equal("default", akka.GetString($"{block}.table-mapping"));
        }

        Assert.DoesNotContain("p\"w", settings.ToString());
    }

    [Fact]
    public void ToAkkaConfig_should_refuse_an_empty_connection_string_naming_the_key()
    {
        var settings = PersistenceSettings.Create(ReferenceConfigFile.Load());

        var error = Assert.Throws<ConfigurationException>(() => settings.ToAkkaConfig());

        Assert.Contains("pipeline.persistence.connection-string", error.Message);
    }
}
