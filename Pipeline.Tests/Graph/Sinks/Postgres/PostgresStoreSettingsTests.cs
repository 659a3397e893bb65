using Akka.Configuration;
using Pipeline.Graph.Sinks.Postgres;
using Pipeline.Graph.Sinks.Postgres.Internal;
using Npgsql;
using Xunit;

namespace Pipeline.Tests.Graph.Sinks.Postgres;

public sealed class PostgresStoreSettingsTests
{
    [Fact]
    public void Create_should_read_every_postgres_key_when_only_the_reference_file_is_loaded()
    {
        var store = PostgresTestData.Store();

        Assert.Equal("sqlite", store.Kind);
        Assert.Equal(string.Empty, store.Postgres.ConnectionString);
        Assert.Equal("public", store.Postgres.Schema);
        Assert.Equal(TimeSpan.FromSeconds(30), store.Postgres.CommandTimeout);
        Assert.False(store.Postgres.StoreOffsets);
        Assert.Equal(TimeSpan.FromDays(1), store.Postgres.Timescale.ChunkInterval);
        Assert.Equal(TimeSpan.FromDays(7), store.Postgres.Timescale.CompressAfter);
        Assert.Equal(TimeSpan.FromDays(90), store.Postgres.Timescale.RetainFor);
    }

    [Fact]
    public void Create_should_accept_postgres_as_the_store_kind()
    {
        var store = PostgresTestData.Store("kind = postgres, postgres.store-offsets = on");

        Assert.Equal("postgres", store.Kind);
        Assert.True(store.Postgres.StoreOffsets);
    }

    [Fact]
    public void Create_should_read_the_number_of_concurrent_writers()
    {
        Assert.Equal(1, PostgresTestData.Store().Postgres.Writers);
        Assert.Equal(3, PostgresTestData.Store("postgres.writers = 3").Postgres.Writers);
    }

    [Fact]
    public void Create_should_refuse_several_writers_when_offsets_are_stored_with_the_rows()
    {
        var ex = Assert.Throws<ConfigurationException>(() => PostgresTestData.Store("postgres.writers = 2, postgres.store-offsets = on"));

        Assert.Contains("'writers' = 2 requires 'store-offsets' = off", ex.Message);
    }

    [Theory]
    [InlineData("Host=db;Username=pipeline;Password=s3cret-pw;Database=pipeline")]
    [InlineData("postgres://pipeline:s3cret-pw@db:5432/pipeline?sslmode=prefer")]
    public void ToString_should_mask_the_password_when_the_connection_string_carries_one(string connectionString)
    {
        var store = PostgresTestData.Store($"kind = postgres, postgres.connection-string = \"{connectionString}\"");

        Assert.DoesNotContain("s3cret-pw", store.ToString());
        Assert.DoesNotContain("s3cret-pw", store.Postgres.ToString());
        Assert.Contains("***", store.Postgres.ToString());
        Assert.DoesNotContain("s3cret-pw", new PostgresTransactionStore(store.Postgres).Description);
    }

    [Fact]
    public void ToString_should_show_nothing_of_a_connection_string_it_cannot_parse()
    {
        var settings = PostgresTestData.Store().Postgres.WithConnectionString("Host=db;Pasword=s3cret-pw");

        Assert.DoesNotContain("s3cret-pw", settings.ToString());
    }

    [Fact]
    public void Create_should_fail_without_repeating_the_password_when_the_connection_string_is_malformed()
    {
        var ex = Assert.Throws<ConfigurationException>(() => PostgresTestData.Store("postgres.connection-string = \"Host=db;Pasword=s3cret-pw\""));

        Assert.Contains("connection-string", ex.Message);
        Assert.DoesNotContain("s3cret-pw", ex.Message);
    }

    [Theory]
    [InlineData("Public")]
    [InlineData("x; DROP TABLE y")]
    [InlineData("1abc")]
    public void Create_should_name_the_key_when_the_schema_is_not_a_plain_identifier(string schema)
    {
        var ex = Assert.Throws<ConfigurationException>(() => PostgresTestData.Store($"postgres.schema = \"{schema}\""));

        Assert.Contains("'schema'", ex.Message);
    }

    [Theory]
    [InlineData("postgres.timescale.retain-for = 2h", "retain-for")]
    [InlineData("postgres.timescale.compress-after = 10m", "compress-after")]
    [InlineData("postgres.command-timeout = 0s", "command-timeout")]
    public void Create_should_name_the_key_when_a_duration_is_out_of_range(string overrides, string key)
    {
        var ex = Assert.Throws<ConfigurationException>(() => PostgresTestData.Store(overrides));

        Assert.Contains(key, ex.Message);
    }

    [Fact]
    public void Connection_string_should_read_every_part_of_a_postgres_url_when_given_one()
    {
        var builder = PostgresConnectionString.Parse("postgresql://app%40corp:p%3Ass@db.internal:6543/pipe_line?sslmode=verify-full&application_name=host-1&connect_timeout=7", "k");

        Assert.Equal("db.internal", builder.Host);
        Assert.Equal(6543, builder.Port);
        Assert.Equal("app@corp", builder.Username);
        Assert.Equal("p:ss", builder.Password);
        Assert.Equal("pipe_line", builder.Database);
        Assert.Equal(SslMode.VerifyFull, builder.SslMode);
        Assert.Equal("host-1", builder.ApplicationName);
        Assert.Equal(7, builder.Timeout);
    }

    [Fact]
    public void Connection_string_should_name_an_unsupported_url_parameter_when_one_is_given()
    {
        var ex = Assert.Throws<ConfigurationException>(() => PostgresConnectionString.Parse("postgres://u:pw@db/x?target_session_attrs=any", "k"));

        Assert.Contains("target_session_attrs", ex.Message);
        Assert.DoesNotContain("pw@", ex.Message);
    }
}
