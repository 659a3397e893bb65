using System.Runtime.CompilerServices;
using Pipeline.Host.Inspector;
using Xunit;

namespace Pipeline.Tests.Host.Inspector;

public sealed class InspectorDispatcherTests
{
    [Fact]
    public async Task Dispatcher_should_refuse_retrain_promote_and_rollback_without_confirm_and_leave_the_registry_untouched()
    {
        var models = new FakeModels();
        var dispatcher = Dispatcher(models);

        var retrain = await Single(dispatcher, "model", "retrain");
        var promote = await Single(dispatcher, "model", "promote", "-v", "v1");
        var rollback = await Single(dispatcher, "model", "rollback");

        Assert.All([retrain, promote, rollback], r => Assert.True(r.IsError));
        Assert.All([retrain, promote, rollback], r => Assert.Contains("--confirm", r.Text));
        Assert.Empty(models.Calls);
    }

    [Fact]
    public async Task Dispatcher_should_run_state_changing_model_commands_when_confirmed()
    {
        var models = new FakeModels();
        var dispatcher = Dispatcher(models);

        var promote = await Single(dispatcher, "model", "promote", "-v", "v1", "--confirm");
        var rollback = await Single(dispatcher, "model", "rollback", "--confirm");
        var retrain = await Single(dispatcher, "model", "retrain", "--confirm");

        Assert.Equal("promoted v1; it scores transactions from now on", promote.Text);
        Assert.Equal("rolled back to v1", rollback.Text);
        Assert.Equal("retraining started (trigger: operator)", retrain.Text);
        Assert.Equal(["promote v1", "rollback", "retrain"], models.Calls);
    }

    [Fact]
    public async Task Dispatcher_should_list_versions_newest_first_with_metrics_when_asked_for_model_history()
    {
        var reply = await Single(Dispatcher(new FakeModels()), "model", "history", "-c", "2");

        Assert.False(reply.IsError);
        var lines = reply.Text.Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("v2", lines[0]);
        Assert.Contains("active", lines[0]);
        Assert.Contains("pr_auc=0.81", lines[0]);
        Assert.StartsWith("v1", lines[1]);
    }

    [Fact]
    public async Task Dispatcher_should_name_the_palettes_when_the_command_is_unknown()
    {
        var reply = await Single(Dispatcher(null), "cluster", "show");

        Assert.True(reply.IsError);
        Assert.Contains("unknown command 'cluster'", reply.Text);
        Assert.Contains("model", reply.Text);
    }

    [Fact]
    public async Task Dispatcher_should_name_the_range_when_a_switch_value_is_out_of_range()
    {
        var reply = await Single(Dispatcher(new FakeModels()), "model", "history", "-c", "0");

        Assert.True(reply.IsError);
        Assert.Contains("-c must be an integer in [1, 1000], got '0'", reply.Text);
    }

    [Fact]
    public async Task Dispatcher_should_say_what_a_switch_needs_when_its_value_is_missing()
    {
        var reply = await Single(Dispatcher(new FakeModels()), "model", "promote", "-v");

        Assert.True(reply.IsError);
        Assert.Contains("switch -v of 'model promote' needs a version", reply.Text);
    }

    [Fact]
    public async Task Dispatcher_should_describe_every_command_in_help_data_so_clients_can_complete()
    {
        var reply = await Single(Dispatcher(null), "help");

        var phrases = Pipeline.Host.Cli.PbmCommand.Completions(reply.Data);
        Assert.Contains("model promote", phrases);
        Assert.Contains("model promote --confirm", phrases);
        Assert.Contains("drift show -c", phrases);
        Assert.Contains("help alerts", phrases);
    }

    [Fact]
    public void Dispatcher_should_reject_two_palettes_with_the_same_name()
    {
        Assert.Throws<ArgumentException>(() => new InspectorDispatcher([new DriftPalette(null), new DriftPalette(null)]));
    }

    [Fact]
    public void Token_check_should_accept_only_the_exact_token_and_anything_when_none_is_set()
    {
        Assert.True(InspectorServer.TokenMatches("s3cret", "s3cret"));
        Assert.False(InspectorServer.TokenMatches("s3cret", "s3cret "));
        Assert.False(InspectorServer.TokenMatches("s3cret", "S3cret"));
        Assert.False(InspectorServer.TokenMatches("s3cret", null));
        Assert.True(InspectorServer.TokenMatches(string.Empty, null));
    }

    private static InspectorDispatcher Dispatcher(IModelCommands? models) =>
        new([new ModelPalette(models), new DriftPalette(null), new AlertsPalette(null)]);

    private static async Task<InspectorReply> Single(InspectorDispatcher dispatcher, params string[] words)
    {
        var replies = new List<InspectorReply>();
        await foreach (var r in dispatcher.ExecuteAsync(words, CancellationToken.None)) replies.Add(r);
        return Assert.Single(replies);
    }

    private sealed class FakeModels : IModelCommands
    {
        private static readonly ModelVersionInfo V1 = new("v1", "retired", new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), new Dictionary<string, double> { ["pr_auc"] = 0.74 });
        private static readonly ModelVersionInfo V2 = new("v2", "active", new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero), new Dictionary<string, double> { ["pr_auc"] = 0.81 });

        public List<string> Calls { get; } = [];

        public Task<ModelVersionInfo?> ActiveAsync(CancellationToken ct) => Task.FromResult<ModelVersionInfo?>(V2);

        public Task<IReadOnlyList<ModelVersionInfo>> HistoryAsync(int count, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<ModelVersionInfo>>(new[] { V2, V1 }.Take(count).ToList());

        public Task<string> RetrainAsync(CancellationToken ct)
        {
            Calls.Add("retrain");
            return Task.FromResult("retraining started (trigger: operator)");
        }

        public Task<ModelVersionInfo> PromoteAsync(string version, CancellationToken ct)
        {
            Calls.Add($"promote {version}");
            return Task.FromResult(V1 with { Status = "active" });
        }

        public Task<ModelVersionInfo> RollbackAsync(CancellationToken ct)
        {
            Calls.Add("rollback");
            return Task.FromResult(V1 with { Status = "active" });
        }
    }
}
