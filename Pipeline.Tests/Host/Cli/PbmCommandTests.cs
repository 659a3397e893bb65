using Pipeline.Host.Cli;
using Xunit;

namespace Pipeline.Tests.Host.Cli;

public sealed class PbmCommandTests
{
    private static readonly string[] Phrases = ["actor hierarchy", "actor hierarchy -d", "actor hierarchy -s", "actor system", "alerts tail", "help", "kafka lag"];

    [Fact]
    public void Complete_should_finish_the_next_word_when_only_one_phrase_matches()
    {
        var (line, candidates) = PbmLineEditor.Complete("ka", Phrases);

        Assert.Equal("kafka ", line);
        Assert.Equal(["kafka"], candidates);
    }

    [Fact]
    public void Complete_should_offer_the_choices_when_several_phrases_match()
    {
        var (line, candidates) = PbmLineEditor.Complete("actor ", Phrases);

        Assert.Equal("actor ", line);
        Assert.Equal(["hierarchy", "system"], candidates);
    }

    [Fact]
    public void Complete_should_extend_to_the_common_prefix_of_the_matches()
    {
        var (line, _) = PbmLineEditor.Complete("a", Phrases);

        Assert.Equal("a", line);
        Assert.Equal("actor hierarchy ", PbmLineEditor.Complete("actor h", Phrases).Line);
        Assert.Equal("actor hierarchy -", PbmLineEditor.Complete("actor hierarchy ", Phrases).Line);
    }

    [Fact]
    public void Split_should_keep_quoted_words_together()
    {
        Assert.Equal(["actor", "hierarchy", "-s", "/user/a b"], PbmCommand.Split("actor  hierarchy -s \"/user/a b\""));
    }
}
