using Pipeline.Host.Cli;
using Pipeline.Host.Replay;
using Xunit;

namespace Pipeline.Tests.Host.Replay;

public sealed class ReplayStartTests
{
    [Fact]
    public void ParseOffsets_should_start_every_partition_at_a_bare_offset()
    {
        var start = ReplayStart.ParseOffsets("1500");

        Assert.Equal(1500, start.AllPartitionsOffset);
        Assert.Null(start.Offsets);
        Assert.Equal("offset 1500 on every partition", start.ToString());
    }

    [Fact]
    public void ParseOffsets_should_start_only_the_listed_partitions_when_given_partition_offset_pairs()
    {
        var start = ReplayStart.ParseOffsets("3:99, 0:10");

        Assert.Equal(new Dictionary<int, long> { [0] = 10, [3] = 99 }, start.Offsets);
        Assert.Equal("partition 0 from offset 10, partition 3 from offset 99", start.ToString());
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("0:")]
    [InlineData(":7")]
    [InlineData("0:1,0:2")]
    [InlineData("a:1")]
    public void ParseOffsets_should_name_the_option_when_the_text_is_malformed(string text)
    {
        var ex = Assert.Throws<CommandLineException>(() => ReplayStart.ParseOffsets(text));

        Assert.Contains("--from-offset", ex.Message);
    }

    [Theory]
    [InlineData("2024-05-01T12:00:00Z", "2024-05-01T12:00:00+00:00")]
    [InlineData("2024-05-01T14:00:00.250+02:00", "2024-05-01T12:00:00.250+00:00")]
    public void ParseTime_should_read_rfc3339_times_with_an_offset(string text, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), ReplayStart.ParseTime(text, "from-time"));
    }

    [Theory]
    [InlineData("2024-05-01T12:00:00")]
    [InlineData("2024-05-01")]
    [InlineData("yesterday")]
    public void ParseTime_should_refuse_a_time_without_an_offset_naming_the_option(string text)
    {
        var ex = Assert.Throws<CommandLineException>(() => ReplayStart.ParseTime(text, "from-time"));

        Assert.Contains("--from-time", ex.Message);
    }
}
