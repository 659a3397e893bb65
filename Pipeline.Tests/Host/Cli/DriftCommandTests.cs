using System.Text.Json;
using Pipeline.Host.Cli;
using Pipeline.Tests.Models.Drift;
using Xunit;

namespace Pipeline.Tests.Host.Cli;

public sealed class DriftCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("drift-command-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await DriftCommand.RunAsync(CommandLineArgs.Parse(args), stdout, stderr, CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private string WriteInput(string content)
    {
        var path = Path.Combine(_directory, "input.txt");
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task DriftCommand_should_print_river_drift_indices_when_running_adwin_on_the_fixture_stream()
    {
        var (exit, stdout, stderr) = await RunAsync("--detector", "adwin", "--input", DriftFixtures.PathOf("adwin", "docstring_stream.txt"));

        Assert.Equal(0, exit);
        Assert.Equal("{\"detector\":\"adwin\",\"n\":2000,\"drifts\":[1023]}" + Environment.NewLine, stdout);
        Assert.Empty(stderr);
    }

    [Fact]
    public async Task DriftCommand_should_pass_adwin_parameters_when_given_on_the_command_line()
    {
        var (exit, stdout, _) = await RunAsync(
            "--detector", "adwin", "--input", DriftFixtures.PathOf("adwin", "docstring_stream.txt"),
            "--delta", "0.1", "--clock", "4", "--max-buckets", "5", "--min-window", "5", "--grace", "10");

        Assert.Equal(0, exit);
        Assert.Equal("{\"detector\":\"adwin\",\"n\":2000,\"drifts\":[1003]}" + Environment.NewLine, stdout);
    }

    [Fact]
    public async Task DriftCommand_should_print_every_drift_and_warning_when_running_ddm_on_the_fixture_stream()
    {
        var expected = DriftFixtures.Cases("ddm").Single(c => c.GetProperty("params").GetProperty("warm_start").GetInt32() == 10);

        var (exit, stdout, _) = await RunAsync(
            "--detector", "ddm", "--input", DriftFixtures.PathOf("ddm", "docstring_stream.txt"),
            "--warm-start", "10", "--warning", "1.0", "--drift-threshold", "2.0");

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("ddm", json.RootElement.GetProperty("detector").GetString());
        Assert.Equal(2000, json.RootElement.GetProperty("n").GetInt32());
        Assert.Equal(DriftFixtures.Ints(expected.GetProperty("drift_indices")), DriftFixtures.Ints(json.RootElement.GetProperty("drifts")));
        Assert.Equal(DriftFixtures.Ints(expected.GetProperty("warning_indices_all")), DriftFixtures.Ints(json.RootElement.GetProperty("warnings")));
    }

    [Fact]
    public async Task DriftCommand_should_accept_true_and_false_when_running_ddm()
    {
        var input = WriteInput(string.Join('\n', Enumerable.Repeat("false", 40).Concat(Enumerable.Repeat("TRUE", 40))));

        var (exit, stdout, _) = await RunAsync("--detector", "ddm", "--input", input);

        Assert.Equal(0, exit);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(80, json.RootElement.GetProperty("n").GetInt32());
        Assert.NotEmpty(json.RootElement.GetProperty("drifts").EnumerateArray());
    }

    [Fact]
    public async Task DriftCommand_should_name_the_line_and_exit_with_one_when_a_line_is_not_a_number()
    {
        var input = WriteInput("1.5\n\n2.5\nabc\n3\n");

        var (exit, stdout, stderr) = await RunAsync("--detector", "adwin", "--input", input);

        Assert.Equal(1, exit);
        Assert.Empty(stdout);
        Assert.Equal($"error: {input}:4: expected a finite number, got 'abc'" + Environment.NewLine, stderr);
    }

    [Fact]
    public async Task DriftCommand_should_name_the_line_when_a_ddm_line_is_not_a_bit()
    {
        var input = WriteInput("0\n1\n0.5\n");

        var (exit, _, stderr) = await RunAsync("--detector", "ddm", "--input", input);

        Assert.Equal(1, exit);
        Assert.Contains(":3: expected 0, 1, true or false, got '0.5'", stderr);
    }

    [Fact]
    public async Task DriftCommand_should_exit_with_one_when_the_input_file_does_not_exist()
    {
        var (exit, _, stderr) = await RunAsync("--detector", "adwin", "--input", Path.Combine(_directory, "missing.txt"));

        Assert.Equal(1, exit);
        Assert.StartsWith($"error: {Path.Combine(_directory, "missing.txt")}: cannot read the input file", stderr);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("--detector", "kswin", "--input", "x", "option --detector must be adwin or ddm, got 'kswin'")]
    [InlineData("--detector", "adwin", "--input", "x", "--warm-start", "10", "option --warm-start does not apply to --detector adwin")]
    [InlineData("--detector", "ddm", "--input", "x", "--clock", "4", "option --clock does not apply to --detector ddm")]
    [InlineData("--detector", "ddm", "--input", "x", "--warning", "4", "option --warning: DDM warning threshold must be in (0, drift threshold = 3], got 4")]
    [InlineData("--detector", "adwin", "--input", "x", "--delta", "1", "option --delta: ADWIN delta must be in (0, 1), got 1")]
    [InlineData("--detector", "adwin", "--input", "x", "--colck", "4", "unknown option --colck")]
    public async Task DriftCommand_should_report_a_usage_error_when_options_are_wrong(params string[] argsAndMessage)
    {
        var args = argsAndMessage[..^1];

        var e = await Assert.ThrowsAsync<CommandLineException>(() => RunAsync(args));

        Assert.Equal(argsAndMessage[^1], e.Message);
    }

    [Fact]
    public void DriftBenchmark_should_report_throughput_and_no_per_update_allocation_for_every_detector()
    {
        var output = new StringWriter();

        var results = DriftBenchmark.Run(output, TimeSpan.FromMilliseconds(100));

        Assert.Equal(new[] { "adwin (clock 32)", "adwin (clock 1)", "ddm" }, results.Select(r => r.Name));
        Assert.All(results, r => Assert.True(r.OpsPerSecond > 0));
        Assert.All(results, r => Assert.True(r.BytesPerOp < 0.01, $"{r.Name} allocates {r.BytesPerOp} B per update"));
        Assert.Equal(3, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
