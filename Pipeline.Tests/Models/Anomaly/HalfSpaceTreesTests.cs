using System.Text.Json;
using Pipeline.Models.Anomaly;
using Xunit;

namespace Pipeline.Tests.Models.Anomaly;

/// <summary>Golden behaviour of <see cref="HalfSpaceTrees"/> against River's own output and the spec's rules.</summary>
public sealed class HalfSpaceTreesTests
{
    private static readonly HalfSpaceTreesOptions DocstringOptions = new() { Trees = 5, Height = 3, WindowSize = 3, Seed = 42 };

    [Fact]
    public void HalfSpaceTrees_should_build_rivers_exact_trees_when_seeded_with_42()
    {
        using var doc = HstFixtures.Json("docstring_trees_seed42.json");
        var model = new HalfSpaceTrees(DocstringOptions);

        model.LearnOne(new Dictionary<string, double> { ["x"] = 0.5 });

        var trees = doc.RootElement.GetProperty("trees").EnumerateArray().ToArray();
        Assert.Equal(5, trees.Length);
        for (var t = 0; t < trees.Length; t++)
        {
            AssertSameTree(model, t, 0, trees[t]);
        }
    }

    [Fact]
    public void HalfSpaceTrees_should_reproduce_rivers_docstring_scores_to_1e_12()
    {
        using var doc = HstFixtures.Json("docstring_expected.json");
        var expected = doc.RootElement.GetProperty("full_precision_scores_by_running_river").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var xs = HstFixtures.Numbers("docstring_X.txt");
        var model = new HalfSpaceTrees(DocstringOptions);
        foreach (var x in xs.Take(3)) model.LearnOne(new Dictionary<string, double> { ["x"] = x });

        var actual = new List<double>();
        foreach (var x in xs)
        {
            var sample = new Dictionary<string, double> { ["x"] = x };
            model.LearnOne(sample);
            actual.Add(model.ScoreOne(sample));
        }

        Assert.Equal(expected.Length, actual.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12, $"score {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    [Fact]
    public void HalfSpaceTrees_should_match_the_python_transcription_with_limits_missing_features_and_an_unsorted_schema()
    {
        using var doc = HstFixtures.Json("transcription_multifeature.json");
        var root = doc.RootElement;
        var p = root.GetProperty("params");
        var schema = root.GetProperty("schema").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var limits = p.GetProperty("limits").EnumerateObject()
            .ToDictionary(o => o.Name, o => new FeatureLimits(o.Value[0].GetDouble(), o.Value[1].GetDouble()));
        var options = new HalfSpaceTreesOptions
        {
            Trees = p.GetProperty("n_trees").GetInt32(),
            Height = p.GetProperty("height").GetInt32(),
            WindowSize = p.GetProperty("window_size").GetInt32(),
            Seed = p.GetProperty("seed").GetInt64(),
            Limits = limits,
        };
        var expected = root.GetProperty("scores").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var dictModel = new HalfSpaceTrees(options);
        var denseModel = new HalfSpaceTrees(options with { Features = schema });

        var row = 0;
        foreach (var r in root.GetProperty("rows").EnumerateArray())
        {
            var values = r.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble()).ToArray();
            var dict = new Dictionary<string, double>();
            for (var i = 0; i < schema.Length; i++)
            {
                if (!double.IsNaN(values[i])) dict[schema[i]] = values[i];
            }

            var dictScore = dictModel.ScoreOne(dict);
            var denseScore = denseModel.ScoreOne(values);
            dictModel.LearnOne(dict);
            denseModel.LearnOne(values);

            Assert.True(Math.Abs(expected[row] - dictScore) <= 1e-12, $"dict row {row}: expected {expected[row]:R}, got {dictScore:R}");
            Assert.True(Math.Abs(expected[row] - denseScore) <= 1e-12, $"dense row {row}: expected {expected[row]:R}, got {denseScore:R}");
            row++;
        }

        Assert.Equal(expected.Length, row);
        Assert.Equal(["amount", "hour", "velocity"], denseModel.Features);
    }

    [Fact]
    public void ScoreOne_should_return_zero_until_the_first_window_completes()
    {
        var model = new HalfSpaceTrees(new HalfSpaceTreesOptions { Trees = 3, Height = 4, WindowSize = 5, Seed = 1, Features = ["a"] });
        var scores = new List<double> { model.ScoreOne([0.9]) };

        for (var i = 0; i < 4; i++)
        {
            model.LearnOne([0.1]);
            scores.Add(model.ScoreOne([0.9]));
        }

        Assert.All(scores, s => Assert.Equal(0.0, s));
        Assert.False(model.HasReferenceWindow);
        model.LearnOne([0.1]);
        Assert.True(model.HasReferenceWindow);
        Assert.True(model.ScoreOne([0.9]) > 0.0);
    }

    [Fact]
    public void ScoreOne_should_not_build_trees_before_the_first_learn()
    {
        var model = new HalfSpaceTrees(new HalfSpaceTreesOptions { Seed = 3 });

        var score = model.ScoreOne(new Dictionary<string, double> { ["a"] = 0.5 });

        Assert.Equal(0.0, score);
        Assert.False(model.IsBuilt);
        Assert.Null(model.Features);
        Assert.Equal(0, model.LearnCount);
    }

    [Fact]
    public void ScoreOne_should_be_lowest_for_the_dense_region_and_highest_for_points_far_from_it_with_one_feature()
    {
        var model = new HalfSpaceTrees(new HalfSpaceTreesOptions { Trees = 10, Height = 6, WindowSize = 50, Seed = 9, Features = ["v"] });
        var rng = new Random(4);
        for (var i = 0; i < 200; i++) model.LearnOne([0.3 + 0.05 * rng.NextDouble()]);

        var inside = model.ScoreOne([0.32]);
        var outside = model.ScoreOne([0.95]);

        Assert.InRange(inside, 0.0, 0.5);
        Assert.InRange(outside, 0.8, 1.0);
    }

    [Fact]
    public void ScoreOne_should_give_the_minimum_score_to_the_value_of_a_constant_stream()
    {
        var options = new HalfSpaceTreesOptions { Trees = 4, Height = 5, WindowSize = 10, Seed = 2, Features = ["a", "b"] };
        var model = new HalfSpaceTrees(options);
        for (var i = 0; i < 30; i++) model.LearnOne([0.42, 0.42]);

        // The whole window followed one path per tree, so every node on it holds the full mass.
        Assert.Equal(0.0, model.ScoreOne([0.42, 0.42]));
        Assert.True(model.ScoreOne([0.9, 0.05]) > 0.5);
    }

    [Fact]
    public void HalfSpaceTrees_should_route_samples_with_every_feature_missing_along_the_busiest_path()
    {
        var model = new HalfSpaceTrees(new HalfSpaceTreesOptions { Trees = 3, Height = 4, WindowSize = 10, Seed = 8, Features = ["a", "b"] });
        // Two full windows plus five learns into the current one, all on one path per tree.
        for (var i = 0; i < 25; i++) model.LearnOne([0.7, 0.2]);
        for (var i = 0; i < 3; i++) model.LearnOne([double.NaN, double.NaN]);

        var missing = model.ScoreOne([double.NaN, double.NaN]);
        var missingDict = model.ScoreOne(new Dictionary<string, double>());

        // Routing follows the current window's mass, which lies on the normal path, so a sample
        // with nothing known looks as normal as the stream itself.
        Assert.Equal(0.0, missing);
        Assert.Equal(0.0, missingDict);
        Assert.Equal(model.ScoreOne([0.7, 0.2]), missing);
    }

    [Fact]
    public void ScoreOne_should_stay_in_the_unit_interval_for_random_seeded_streams()
    {
        for (var seed = 0; seed < 20; seed++)
        {
            var rng = new Random(seed);
            var features = rng.Next(1, 5);
            var model = new HalfSpaceTrees(new HalfSpaceTreesOptions
            {
                Trees = rng.Next(1, 8),
                Height = rng.Next(1, 9),
                WindowSize = rng.Next(1, 40),
                Seed = seed,
                Features = Enumerable.Range(0, features).Select(i => $"f{i}").ToArray(),
            });
            var x = new double[features];
            for (var i = 0; i < 400; i++)
            {
                for (var j = 0; j < features; j++)
                {
                    // Mostly in range, sometimes far outside it or missing.
                    var u = rng.NextDouble();
                    x[j] = u < 0.05 ? double.NaN : u < 0.1 ? rng.NextDouble() * 100 - 50 : rng.NextDouble();
                }

                var score = model.ScoreOne(x);
                model.LearnOne(x);

                Assert.InRange(score, 0.0, 1.0);
            }
        }
    }

    [Fact]
    public void HalfSpaceTrees_should_build_the_same_trees_and_scores_when_given_the_same_seed()
    {
        var options = new HalfSpaceTreesOptions { Trees = 5, Height = 6, WindowSize = 20, Seed = 77, Features = ["a", "b", "c"] };
        var first = new HalfSpaceTrees(options);
        var second = new HalfSpaceTrees(options);
        var rng = new Random(5);

        for (var i = 0; i < 300; i++)
        {
            double[] x = [rng.NextDouble(), rng.NextDouble(), rng.NextDouble()];
            Assert.Equal(first.ScoreOne(x), second.ScoreOne(x));
            first.LearnOne(x);
            second.LearnOne(x);
        }
    }

    [Fact]
    public void HalfSpaceTrees_should_build_different_trees_when_no_seed_is_given()
    {
        var options = new HalfSpaceTreesOptions { Trees = 2, Height = 3, Features = ["a"] };
        var first = new HalfSpaceTrees(options);
        var second = new HalfSpaceTrees(options);

        first.LearnOne([0.5]);
        second.LearnOne([0.5]);

        Assert.NotEqual(first.SplitAt(0, 0), second.SplitAt(0, 0));
    }

    [Fact]
    public void LearnOne_should_ignore_the_key_order_of_the_dictionary()
    {
        var options = new HalfSpaceTreesOptions { Trees = 4, Height = 5, WindowSize = 15, Seed = 21 };
        var forward = new HalfSpaceTrees(options);
        var backward = new HalfSpaceTrees(options);
        var rng = new Random(6);

        for (var i = 0; i < 200; i++)
        {
            double a = rng.NextDouble(), b = rng.NextDouble(), c = rng.NextDouble();
            var f = new Dictionary<string, double> { ["a"] = a, ["b"] = b, ["c"] = c };
            var r = new Dictionary<string, double> { ["c"] = c, ["b"] = b, ["a"] = a };

            Assert.Equal(forward.ScoreOne(f), backward.ScoreOne(r));
            forward.LearnOne(f);
            backward.LearnOne(r);
        }

        Assert.Equal(["a", "b", "c"], backward.Features);
    }

    [Fact]
    public void LearnOne_should_sort_feature_names_by_code_point_like_python()
    {
        var model = new HalfSpaceTrees(new HalfSpaceTreesOptions { Seed = 1 });

        // UTF-16 ordinal order would put the emoji (a surrogate pair) before U+FF01.
        model.LearnOne(new Dictionary<string, double> { ["\U0001F600"] = 0.1, ["\uFF01"] = 0.2, ["b"] = 0.3, ["ab"] = 0.4, ["a"] = 0.5 });

        Assert.Equal(["a", "ab", "b", "\uFF01", "\U0001F600"], model.Features);
    }

    [Fact]
    public void ScoreOne_should_agree_between_the_dictionary_and_dense_apis_with_unknown_keys_ignored()
    {
        var options = new HalfSpaceTreesOptions { Trees = 6, Height = 5, WindowSize = 25, Seed = 13, Features = ["z", "m", "a"] };
        var dense = new HalfSpaceTrees(options);
        var dict = new HalfSpaceTrees(options);
        var rng = new Random(7);

        for (var i = 0; i < 300; i++)
        {
            double[] x = [rng.NextDouble(), rng.NextDouble(), rng.NextDouble()];
            if (i % 9 == 0) x[i % 3] = double.NaN;
            var d = new Dictionary<string, double> { ["unknown"] = 5.0 };
            for (var j = 0; j < 3; j++)
            {
                if (!double.IsNaN(x[j])) d[options.Features![j]] = x[j];
            }

            Assert.Equal(dense.ScoreOne(x), dict.ScoreOne(d));
            dense.LearnOne(x);
            dict.LearnOne(d);
        }
    }

    [Fact]
    public void LearnOne_should_not_modify_the_input_vector_or_dictionary()
    {
        var model = new HalfSpaceTrees(new HalfSpaceTreesOptions { Trees = 2, Height = 3, WindowSize = 2, Seed = 1, Features = ["a", "b"] });
        double[] vector = [0.25, double.NaN];
        var dict = new Dictionary<string, double> { ["a"] = 0.25 };

        for (var i = 0; i < 5; i++)
        {
            model.LearnOne(vector);
            model.ScoreOne(vector);
            model.LearnOne(dict);
            model.ScoreOne(dict);
        }

        Assert.Equal(0.25, vector[0]);
        Assert.True(double.IsNaN(vector[1]));
        Assert.Equal(new Dictionary<string, double> { ["a"] = 0.25 }, dict);
    }

    [Fact]
    public void ScoreOne_should_allocate_nothing_on_the_dense_path()
    {
        var model = new HalfSpaceTrees(new HalfSpaceTreesOptions { Seed = 1, Features = ["a", "b", "c"] });
        double[] x = [0.1, 0.5, 0.9];
        for (var i = 0; i < 600; i++) { model.ScoreOne(x); model.LearnOne(x); }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) { model.ScoreOne(x); model.LearnOne(x); }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Dense_api_should_fail_clearly_without_a_schema_or_with_a_vector_of_the_wrong_length()
    {
        var schemaless = new HalfSpaceTrees(new HalfSpaceTreesOptions { Seed = 1 });
        var fixedSchema = new HalfSpaceTrees(new HalfSpaceTreesOptions { Seed = 1, Features = ["a", "b"] });

        var noSchema = Assert.Throws<InvalidOperationException>(() => schemaless.LearnOne([0.5]));
        var wrongLength = Assert.Throws<ArgumentException>(() => fixedSchema.ScoreOne([0.5]));

        Assert.Contains("Features", noSchema.Message);
        Assert.Contains("1 values", wrongLength.Message);
    }

    [Fact]
    public void LearnOne_should_reject_an_empty_first_sample_without_building()
    {
        var model = new HalfSpaceTrees(new HalfSpaceTreesOptions { Seed = 1 });

        Assert.Throws<ArgumentException>(() => model.LearnOne(new Dictionary<string, double>()));
        Assert.False(model.IsBuilt);
    }

    [Fact]
    public void HalfSpaceTrees_should_use_limits_copied_at_construction_when_the_callers_dictionary_changes_later()
    {
        var limits = new Dictionary<string, FeatureLimits> { ["a"] = new(0, 100) };
        var model = new HalfSpaceTrees(new HalfSpaceTreesOptions { Trees = 1, Height = 1, Seed = 4, Limits = limits });
        limits["a"] = new FeatureLimits(0, 1);

        model.LearnOne(new Dictionary<string, double> { ["a"] = 50 });

        Assert.InRange(model.SplitAt(0, 0)!.Value.Threshold, 15.0, 85.0);
    }

    private static void AssertSameTree(HalfSpaceTrees model, int tree, int node, JsonElement expected)
    {
        var split = model.SplitAt(tree, node);
        if (expected.ValueKind == JsonValueKind.String)
        {
            Assert.Equal("leaf", expected.GetString());
            Assert.Null(split);
            return;
        }

        Assert.NotNull(split);
        Assert.Equal(expected.GetProperty("feature").GetString(), split.Value.Feature);
        Assert.Equal(expected.GetProperty("threshold").GetDouble(), split.Value.Threshold);
        AssertSameTree(model, tree, 2 * node + 1, expected.GetProperty("left"));
        AssertSameTree(model, tree, 2 * node + 2, expected.GetProperty("right"));
    }

    [Theory]
    [InlineData(10, 8, 250, false)]
    [InlineData(7, 5, 20, true)]
    public void ScoreThenLearnOne_should_give_the_scores_and_state_of_ScoreOne_then_LearnOne_when_run_over_many_windows(int trees, int height, int window, bool withMissing)
    {
        var options = new HalfSpaceTreesOptions { Trees = trees, Height = height, WindowSize = window, Seed = 17, Features = ["a", "b", "c", "d"] };
        var separate = new HalfSpaceTrees(options);
        var fused = new HalfSpaceTrees(options);
        var rng = new Random(5);
        var x = new double[4];

        for (var i = 0; i < window * 12; i++)
        {
            for (var f = 0; f < x.Length; f++) x[f] = withMissing && rng.Next(6) == 0 ? double.NaN : rng.NextDouble() * (i % 97 == 0 ? 0.1 : 1.0);
            var expected = separate.ScoreOne(x);
            separate.LearnOne(x);

            var actual = fused.ScoreThenLearnOne(x);

            Assert.Equal(expected, actual);
        }

        Assert.Equal(Snapshot(separate), Snapshot(fused));
    }

    private static byte[] Snapshot(HalfSpaceTrees model)
    {
        using var buffer = new MemoryStream();
        model.WriteTo(buffer);
        return buffer.ToArray();
    }
}
