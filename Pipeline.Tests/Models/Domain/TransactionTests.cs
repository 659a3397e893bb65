using Xunit;

namespace Pipeline.Tests.Models.Domain;

public sealed class TransactionTests
{
    [Fact]
    public void ToString_should_never_print_card_number_or_email_when_they_are_in_clear()
    {
        var text = DecoderTestData.Expected.ToString();

        Assert.DoesNotContain(DecoderTestData.CardNumber, text);
        Assert.DoesNotContain(DecoderTestData.Email, text);
        Assert.Contains("CardNumber = ***", text);
        Assert.Contains("acct-000042", text);
    }
}
