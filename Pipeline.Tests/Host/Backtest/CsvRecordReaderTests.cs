using Pipeline.Host.Backtest;
using Xunit;

namespace Pipeline.Tests.Host.Backtest;

public sealed class CsvRecordReaderTests
{
    [Fact]
    public void ReadRecord_should_split_fields_and_unquote_them_with_any_line_ending()
    {
        var reader = new CsvRecordReader(new StringReader("a,\"b \"\"q\"\"\",\r\n\"x,y\",,z\rlast,\"\"\n"));

        var records = ReadAll(reader);

        Assert.Equal([1L, 2L, 3L], records.Select(r => r.Line));
        Assert.Equal(["a", "b \"q\"", ""], records[0].Fields);
        Assert.Equal(["x,y", "", "z"], records[1].Fields);
        Assert.Equal(["last", ""], records[2].Fields);
    }

    [Fact]
    public void ReadRecord_should_count_lines_inside_quoted_fields_and_skip_blank_lines()
    {
        var reader = new CsvRecordReader(new StringReader("h1,h2\n\n\"multi\nline\",1\r\n\r\nnext,2"));

        var records = ReadAll(reader);

        Assert.Equal([1L, 3L, 6L], records.Select(r => r.Line));
        Assert.Equal("multi\nline", records[1].Fields[0]);
        Assert.Equal(["next", "2"], records[2].Fields);
    }

    [Fact]
    public void ReadRecord_should_name_the_line_of_an_unterminated_quote_or_a_stray_quote()
    {
        var unterminated = new CsvRecordReader(new StringReader("a,b\n1,2\n3,\"4\n5,6\n"));
        var stray = new CsvRecordReader(new StringReader("a,b\n1,x\"y\n"));

        ReadAll(unterminated, stopAfter: 2);
        var e1 = Assert.Throws<FormatException>(() => unterminated.ReadRecord());
        stray.ReadRecord();
        var e2 = Assert.Throws<FormatException>(() => stray.ReadRecord());

        Assert.StartsWith("line 3: unterminated quoted field", e1.Message);
        Assert.StartsWith("line 2: a quote inside an unquoted field", e2.Message);
    }

    [Fact]
    public void ReadRecord_should_handle_fields_longer_than_its_buffers()
    {
        var longField = new string('x', 200_000);
        var reader = new CsvRecordReader(new StringReader($"{longField},\"{longField}\"\n" + string.Join(",", Enumerable.Range(0, 100)) + "\n"));

        var records = ReadAll(reader);

        Assert.Equal([longField, longField], records[0].Fields);
        Assert.Equal(100, records[1].Fields.Length);
    }

    private static List<(long Line, string[] Fields)> ReadAll(CsvRecordReader reader, int stopAfter = int.MaxValue)
    {
        var records = new List<(long, string[])>();
        while (records.Count < stopAfter && reader.ReadRecord())
        {
            records.Add((reader.LineNumber, Enumerable.Range(0, reader.FieldCount).Select(i => reader.Field(i).ToString()).ToArray()));
        }

        return records;
    }
}
