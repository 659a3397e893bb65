using Pipeline.Models.Anomaly;
using Xunit;

namespace Pipeline.Tests.Models.Anomaly;

public sealed class HalfSpaceTreesOptionsTests
{
    [Fact]
    public void HalfSpaceTreesOptions_should_default_to_rivers_parameters()
    {
        var options = new HalfSpaceTreesOptions();

        options.Validate();

        Assert.Equal((10, 8, 250), (options.Trees, options.Height, options.WindowSize));
        Assert.Null(options.Seed);
    }

    public static TheoryData<HalfSpaceTreesOptions, string, string> InvalidOptions => new()
    {
        { new HalfSpaceTreesOptions { Trees = 0 }, "Trees", "[1, 1000]" },
        { new HalfSpaceTreesOptions { Height = 21 }, "Height", "[1, 20]" },
        { new HalfSpaceTreesOptions { WindowSize = 70000 }, "WindowSize", "[1, 65535]" },
        { new HalfSpaceTreesOptions { Trees = 1000, Height = 20 }, "Height", "exceeds" },
        { new HalfSpaceTreesOptions { Limits = new Dictionary<string, FeatureLimits> { ["a"] = new(1, 1) } }, "Limits", "'a'" },
        { new HalfSpaceTreesOptions { Limits = new Dictionary<string, FeatureLimits> { ["a"] = new(0, double.NaN) } }, "Limits", "'a'" },
        { new HalfSpaceTreesOptions { Limits = new Dictionary<string, FeatureLimits> { ["a"] = new(-1e308, 1e308) } }, "Limits", "finite width" },
        { new HalfSpaceTreesOptions { Features = [] }, "Features", "at least one" },
        { new HalfSpaceTreesOptions { Features = ["a", "a"] }, "Features", "'a'" },
        { new HalfSpaceTreesOptions { Features = ["a", ""] }, "Features", "Features[1]" },
        { new HalfSpaceTreesOptions { Features = ["a"], Limits = new Dictionary<string, FeatureLimits> { ["b"] = new(0, 2) } }, "Limits", "'b'" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Validate_should_name_the_parameter_and_the_problem_when_an_option_is_invalid(HalfSpaceTreesOptions options, string parameter, string detail)
    {
        var error = Assert.ThrowsAny<ArgumentException>(options.Validate);

        Assert.Equal(parameter, error.ParamName);
        Assert.Contains(detail, error.Message);
    }

    [Fact]
    public void HalfSpaceTrees_should_refuse_invalid_options_at_construction()
    {
        Assert.ThrowsAny<ArgumentException>(() => new HalfSpaceTrees(new HalfSpaceTreesOptions { Height = 0 }));
    }
}
