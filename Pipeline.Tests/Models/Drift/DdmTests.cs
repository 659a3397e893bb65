using Pipeline.Models.Drift;
using Xunit;

namespace Pipeline.Tests.Models.Drift;

public sealed class DdmTests
{
    public static TheoryData<int> FixtureCases() => new(Enumerable.Range(0, DriftFixtures.Cases("ddm").Length));

    [Theory]
    [MemberData(nameof(FixtureCases))]
    public void Ddm_should_reproduce_river_drift_and_warning_indices_when_fed_the_docstring_stream(int caseIndex)
    {
        var c = DriftFixtures.Cases("ddm")[caseIndex];
        var p = c.GetProperty("params");
        var ddm = new Ddm(new DdmOptions
        {
            WarmStart = p.GetProperty("warm_start").GetInt32(),
            WarningThreshold = p.GetProperty("warning_threshold").GetDouble(),
            DriftThreshold = p.GetProperty("drift_threshold").GetDouble(),
        });
        var stream = DriftFixtures.Stream("ddm");
        var drifts = new List<int>();
        var warnings = new List<int>();

        for (var i = 0; i < stream.Length; i++)
        {
            ddm.Update(stream[i] == 1.0);
            if (ddm.DriftDetected)
            {
                drifts.Add(i);
            }

            if (ddm.WarningDetected)
            {
                warnings.Add(i);
            }
        }

        Assert.Equal(DriftFixtures.Ints(c.GetProperty("drift_indices")), drifts);
        Assert.Equal(DriftFixtures.Ints(c.GetProperty("warning_indices_all")), warnings);
    }

    [Fact]
    public void Ddm_should_print_river_docstring_output_when_reporting_first_warnings_and_drifts()
    {
        var stream = DriftFixtures.Stream("ddm");
        var ddm = new Ddm();
        var printed = new List<string>();
        var printWarning = true;

        for (var i = 0; i < stream.Length; i++)
        {
            ddm.Update(stream[i]);
            if (ddm.WarningDetected && printWarning)
            {
                printed.Add($"Warning detected at index {i}");
                printWarning = false;
            }

            if (ddm.DriftDetected)
            {
                printed.Add($"Change detected at index {i}");
                printWarning = true;
            }
        }

        Assert.Equal(new[] { "Warning detected at index 1084", "Change detected at index 1334", "Warning detected at index 1492" }, printed);
    }

    [Fact]
    public void Ddm_should_stay_silent_during_warm_up_when_every_input_is_an_error_after_a_perfect_start()
    {
        var ddm = new Ddm(new DdmOptions { WarmStart = 30 });

        // Ten correct decisions, then errors only: the rate explodes, but nothing may fire
        // before the 31st input.
        for (var i = 0; i < 30; i++)
        {
            ddm.Update(i >= 10);
            Assert.False(ddm.DriftDetected, $"drift during warm-up at {i}");
            Assert.False(ddm.WarningDetected, $"warning during warm-up at {i}");
        }

        Assert.Equal(30, ddm.Count);
        Assert.Equal(20.0 / 30.0, ddm.ErrorRate, 1e-15);
    }

    [Fact]
    public void Ddm_should_start_the_new_concept_with_the_next_input_when_updated_after_a_drift()
    {
        var stream = DriftFixtures.Stream("ddm");
        var ddm = new Ddm();
        var i = 0;
        while (!ddm.DriftDetected)
        {
            ddm.Update(stream[i++]);
        }

        Assert.Equal(1335, i);
        ddm.Update(true);

        Assert.False(ddm.DriftDetected);
        Assert.False(ddm.WarningDetected);
        Assert.Equal(1, ddm.Count);
        Assert.Equal(1.0, ddm.ErrorRate);
    }

    [Fact]
    public void Ddm_should_never_warn_or_drift_when_the_error_rate_is_constant()
    {
        var ddm = new Ddm();

        for (var i = 0; i < 10_000; i++)
        {
            ddm.Update(false);
            Assert.False(ddm.DriftDetected || ddm.WarningDetected);
        }

        Assert.Equal(0.0, ddm.ErrorRate);
    }

    [Fact]
    public void Ddm_should_produce_identical_future_outputs_when_restored_from_a_snapshot()
    {
        var stream = DriftFixtures.Stream("ddm");
        var original = new Ddm(new DdmOptions { WarmStart = 10, WarningThreshold = 1.0, DriftThreshold = 2.0 });
        for (var i = 0; i < 500; i++)
        {
            original.Update(stream[i]);
        }

        using var buffer = new MemoryStream();
        original.WriteTo(buffer);
        buffer.Position = 0;
        var restored = Ddm.ReadFrom(buffer);

        var drifts = 0;
        for (var i = 500; i < stream.Length; i++)
        {
            original.Update(stream[i]);
            restored.Update(stream[i]);
            Assert.Equal(original.DriftDetected, restored.DriftDetected);
            Assert.Equal(original.WarningDetected, restored.WarningDetected);
            Assert.Equal(original.ErrorRate, restored.ErrorRate);
            drifts += original.DriftDetected ? 1 : 0;
        }

        Assert.Equal(original.Options, restored.Options);
        Assert.True(drifts >= 3, "the fixture's later drifts (863, 907, 1072) lie after the snapshot");
    }

    [Fact]
    public void Ddm_should_refuse_a_snapshot_when_its_version_is_unknown()
    {
        using var buffer = new MemoryStream();
        new Ddm().WriteTo(buffer);
        var bytes = buffer.ToArray();
        bytes[4] = 99;

        var e = Assert.Throws<InvalidDataException>(() => Ddm.ReadFrom(new MemoryStream(bytes)));

        Assert.Contains("version 99", e.Message);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Ddm_should_reject_the_input_when_it_is_outside_zero_to_one(double x)
    {
        var ddm = new Ddm();

        Assert.Throws<ArgumentOutOfRangeException>(() => ddm.Update(x));
        Assert.Equal(0, ddm.Count);
    }

    [Theory]
    [InlineData(-1, 2.0, 3.0, "WarmStart")]
    [InlineData(30, 3.5, 3.0, "WarningThreshold")]
    [InlineData(30, 2.0, 0.0, "DriftThreshold")]
    public void DdmOptions_should_name_the_parameter_when_it_is_out_of_range(int warmStart, double warning, double drift, string name)
    {
        var options = new DdmOptions { WarmStart = warmStart, WarningThreshold = warning, DriftThreshold = drift };

        var e = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(name, e.ParamName);
    }
}
