using Pipeline.Models.Features;
using Xunit;
using static Pipeline.Tests.Models.Features.FeatureTestData;

namespace Pipeline.Tests.Models.Features.Internal;

public sealed class AccountStateFormatTests
{
    // Written by the BinaryWriter-based version 1 writer before the span writer replaced it: stored
    // checkpoints must stay readable, and new ones must be readable by hosts not yet upgraded.
    private const string Version1Golden =
        "414353540103E088384F950100000C7472616E73616374696F6E73030000000D0000000000000004000000000000000100000000B03E4000000000EC32B940" +
        "0360EA000000000000E803000000000000020000002E5CC2670000000001000000000000000000084000000000000022404C5CC2670000000001000000000000" +
        "0000005940000000000088C34080EE36000000000060EA00000000000002000000BCB4BA01000000000100000000000000000008400000000000002240BDB4BA" +
        "0100000000010000000000000000005940000000000088C340005C26050000000000F9150000000000020000003072120000000000020000000000000000C033" +
        "4000000000001A6A403272120000000000020000000000000000C0594000000000808CC34003000000A156B467A381112DB013384F95010000CA39B767A3E7142D" +
        "3025014F950100004D4B5B8EABC2F09FE088384F9501000002000000ACB927D3737AC9CCB013384F95010000F1FBE47D8474C40AE088384F9501000002000000" +
        "189E7D0B698156CCB013384F950100009347860B69B360CCE088384F95010000";

    [Fact]
    public void ToBytes_should_write_the_version_1_layout_byte_for_byte_when_the_state_holds_buckets_sets_and_a_position()
    {
        var state = GoldenState();

        var bytes = state.ToBytes();

        Assert.Equal(Version1Golden, Convert.ToHexString(bytes));
    }

    [Fact]
    public void FromBytes_should_continue_exactly_like_the_original_state_when_reading_a_version_1_snapshot()
    {
        var original = GoldenState();
        var restored = AccountState.FromBytes(Convert.FromHexString(Version1Golden), Options());

        var next = Tx(Start.AddMinutes(61.2), 40, "mé€", "FR", "d2");
        var expected = original.Process(next, At(14, partition: 3));
        var actual = restored.Process(next, At(14, partition: 3));

        Assert.Equal(expected, actual);
        Assert.False(actual.IsNewMerchant); // the non-ASCII merchant's stored hash matched
        Assert.Equal(new RecordPosition("transactions", 3, 14), restored.LastApplied);
        Assert.Equal(original.ToBytes(), restored.ToBytes());
    }

    private static AccountState GoldenState()
    {
        var state = new AccountState(Options());
        state.Process(Tx(Start, 12.5, "m1", "DE", "d1"), At(10, partition: 3));
        state.Process(Tx(Start.AddSeconds(30), 7.25, "m2", "DE"), At(11, partition: 3));
        state.Process(Tx(Start.AddMinutes(61), 100, "mé€", "FR", "d2"), At(12, partition: 3));
        state.Process(Tx(Start.AddMinutes(60.5), 3, "m1", "DE", "d1"), At(13, partition: 3)); // out of order, within lateness
        return state;
    }
}
