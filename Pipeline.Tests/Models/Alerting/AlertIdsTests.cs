using Pipeline.Models.Alerting;
using Xunit;

namespace Pipeline.Tests.Models.Alerting;

public sealed class AlertIdsTests
{
    [Fact]
    public void For_should_give_the_same_version_5_id_when_the_same_transaction_is_replayed()
    {
        var first = AlertIds.For("6a1f0a4e-1111-4c3b-9f00-000000000001");
        var replay = AlertIds.For("6a1f0a4e-1111-4c3b-9f00-000000000001");

        Assert.Equal(first, replay);
        Assert.Equal(5, first.Version);
        Assert.Equal(0x80, first.ToByteArray(bigEndian: true)[8] & 0xC0);
    }

    [Fact]
    public void For_should_give_different_ids_when_the_transaction_or_the_rule_set_differs()
    {
        var a = AlertIds.For("tx-1");
        var b = AlertIds.For("tx-2");
        var c = AlertIds.For("tx-1", "other-rules/v1");

        Assert.NotEqual(a, b);
        Assert.NotEqual(a, c);
    }
}
