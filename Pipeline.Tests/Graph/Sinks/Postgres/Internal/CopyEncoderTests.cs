using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Pipeline.Graph.Sinks.Postgres.Internal;
using Xunit;

namespace Pipeline.Tests.Graph.Sinks.Postgres.Internal;

public sealed class CopyEncoderTests
{
    [Fact]
    public void JsonbObject_should_write_json_holding_the_same_values_when_numbers_are_extreme_or_not_finite()
    {
        var features = new Dictionary<string, double>
        {
            ["amount"] = 123.45,
            ["tiny"] = 1e-5,
            ["huge"] = 1.2345678901234567e300,
            ["negative_zero"] = -0.0,
            ["full_precision"] = 0.1 + 0.2,
            ["nan"] = double.NaN,
            ["up"] = double.PositiveInfinity,
            ["down"] = double.NegativeInfinity,
            ["quo\"te\\key\u0001"] = 2,
        };
        var encoder = new CopyEncoder();

        encoder.JsonbObject(features);

        using var json = JsonDocument.Parse(Jsonb(encoder));
        var root = json.RootElement;
        Assert.Equal(features.Count, root.EnumerateObject().Count());
        foreach (var (key, value) in features.Where(f => double.IsFinite(f.Value)))
        {
            Assert.Equal(value, root.GetProperty(key).GetDouble());
        }

        Assert.Equal("NaN", root.GetProperty("nan").GetString());
        Assert.Equal("Infinity", root.GetProperty("up").GetString());
        Assert.Equal("-Infinity", root.GetProperty("down").GetString());
    }

    [Fact]
    public void JsonbObject_should_write_whole_numbers_without_a_fraction_and_keep_the_key_order_when_rows_repeat_their_keys()
    {
        var encoder = new CopyEncoder();
        string[] keys = ["count", "neg", "zero", "neg_zero", "half", "big"];
        double[] first = [12, -3, 0, -0.0, 0.5, 1e15];
        double[] second = [7, 1e14, 2.5, 1, 0, -1e-7];

        encoder.JsonbObject(keys.Zip(first).ToDictionary(p => p.First, p => p.Second));
        var firstJson = Jsonb(encoder);
        encoder.Clear();
        encoder.JsonbObject(keys.Zip(second).ToDictionary(p => p.First, p => p.Second));

        Assert.Equal("""{"count":12,"neg":-3,"zero":0,"neg_zero":-0,"half":0.5,"big":1000000000000000}""", firstJson);
        Assert.Equal("""{"count":7,"neg":100000000000000,"zero":2.5,"neg_zero":1,"half":0,"big":-1E-07}""", Jsonb(encoder));
    }

    [Fact]
    public void JsonbArray_should_escape_strings_and_replace_nul_when_reasons_hold_control_characters()
    {
        var encoder = new CopyEncoder();

        encoder.JsonbArray(["new_country", "feature:amount_zscore", "say \"hi\"\\now", "tab\there", "nul\0byte", "é ✓"]);

        using var json = JsonDocument.Parse(Jsonb(encoder));
        Assert.Equal(
            new[] { "new_country", "feature:amount_zscore", "say \"hi\"\\now", "tab\there", "nul\uFFFDbyte", "é ✓" },
            json.RootElement.EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    [Fact]
    public void JsonbArray_should_write_an_empty_array_when_there_are_no_reasons()
    {
        var encoder = new CopyEncoder();

        encoder.JsonbArray([]);

        Assert.Equal("[]", Jsonb(encoder));
    }

    [Fact]
    public void Text_should_write_utf8_with_nul_and_unpaired_surrogates_replaced_when_the_value_cannot_be_stored_as_is()
    {
        var encoder = new CopyEncoder();

        encoder.Text("a\0b\uD800c€");

        var bytes = encoder.Written.Span;
        Assert.Equal(bytes.Length - 4, BinaryPrimitives.ReadInt32BigEndian(bytes));
        Assert.Equal("a\uFFFDb\uFFFDc€", Encoding.UTF8.GetString(bytes[4..]));
    }

    [Fact]
    public void Timestamp_should_count_microseconds_from_2000_when_the_value_has_sub_microsecond_ticks()
    {
        var encoder = new CopyEncoder();
        var value = new DateTimeOffset(2000, 1, 1, 1, 0, 0, TimeSpan.FromHours(1)).AddTicks(15);

        encoder.Timestamp(value);
        encoder.Timestamp(DateTimeOffset.MaxValue);

        var bytes = encoder.Written.Span;
        Assert.Equal(8, BinaryPrimitives.ReadInt32BigEndian(bytes));
        Assert.Equal(1, BinaryPrimitives.ReadInt64BigEndian(bytes[4..]));
        Assert.Equal(long.MaxValue, BinaryPrimitives.ReadInt64BigEndian(bytes[16..]));
    }

    [Fact]
    public void Clear_should_start_over_and_keep_encoding_correctly_when_the_buffer_had_to_grow()
    {
        var encoder = new CopyEncoder(initialCapacity: 16);
        var reasons = Enumerable.Range(0, 500).Select(i => $"feature:f{i}").ToArray();
        encoder.JsonbArray(reasons);
        Assert.True(encoder.Length > 16);

        encoder.Clear();
        encoder.JsonbArray(["only"]);

        Assert.Equal("[\"only\"]", Jsonb(encoder));
    }

    /// <summary>The JSON text of the single jsonb field in <paramref name="encoder"/>, after its length and version byte.</summary>
    private static string Jsonb(CopyEncoder encoder)
    {
        var bytes = encoder.Written.Span;
        Assert.Equal(bytes.Length - 4, BinaryPrimitives.ReadInt32BigEndian(bytes));
        Assert.Equal(1, bytes[4]);
        return Encoding.UTF8.GetString(bytes[5..]);
    }
}
