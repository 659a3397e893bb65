using System.Text;
using Pipeline.Models.Privacy;
using Pipeline.Tests.Models.Domain;
using Xunit;

namespace Pipeline.Tests.Models.Privacy;

public sealed class PiiRedactorTests
{
    [Fact]
    public void Redact_should_mask_card_number_and_email_values_and_keep_everything_else_when_the_payload_is_json()
    {
        var raw = DecoderTestData.Bytes(("amount", "-5"));

        var masked = Encoding.UTF8.GetString(PiiRedactor.Redact(raw));

        Assert.Equal(raw.Length, Encoding.UTF8.GetByteCount(masked));
        Assert.DoesNotContain(DecoderTestData.CardNumber, masked);
        Assert.DoesNotContain(DecoderTestData.Email, masked);
        Assert.Contains("\"card_number\":\"****************\"", masked);
        Assert.Contains("\"amount\":-5", masked);
        Assert.Contains("\"account_id\":\"acct-000042\"", masked);
        Assert.Contains("3f2a5c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b", masked);
    }

    [Theory]
    [InlineData("pan 4111 1111 1111 1111 end", "pan **** **** **** 1111 end")]
    [InlineData("x=4111-1111-1111-1234;", "x=****-****-****-1234;")]
    [InlineData("{\"card\":5500000000000004,", "{\"card\":************0004,")]
    [InlineData("mail BOB.Smith+x@Mail.Example.org now", "mail **************************** now")]
    [InlineData("amount 129.99 and id 12345678901", "amount 129.99 and id 12345678901")]
    [InlineData("user@localhost", "user@localhost")]
    public void Redact_should_mask_card_numbers_and_emails_anywhere_when_the_payload_is_not_json(string input, string expected)
    {
        Assert.Equal(expected, Encoding.UTF8.GetString(PiiRedactor.Redact(Encoding.UTF8.GetBytes(input))));
    }

    [Fact]
    public void Redact_should_mask_member_values_that_are_not_shaped_like_pii()
    {
        var raw = Encoding.UTF8.GetBytes("{\"card_number\": \"12-ab\\\"cd\", \"email\" : nobody, \"x\":1");

        var masked = Encoding.UTF8.GetString(PiiRedactor.Redact(raw));

        Assert.Equal("{\"card_number\": \"*********\", \"email\" : ******, \"x\":1", masked);
    }

    [Fact]
    public void Redact_should_mask_an_unterminated_value_up_to_the_end_of_the_payload()
    {
        var masked = Encoding.UTF8.GetString(PiiRedactor.Redact("{\"email\":\"eve@evil"u8));

        Assert.Equal("{\"email\":\"********", masked);
    }

    [Fact]
    public void Redact_should_keep_the_length_and_never_throw_when_given_random_bytes()
    {
        var random = new Random(20240601);
        for (var i = 0; i < 2000; i++)
        {
            var raw = new byte[random.Next(0, 300)];
            random.NextBytes(raw);
            // Bias towards the characters the passes look for, so every branch runs.
            for (var j = 0; j < raw.Length; j += 3) raw[j] = "0123456789 -@.\":card_number"u8[random.Next(27)];

            var masked = PiiRedactor.Redact(raw);

            Assert.Equal(raw.Length, masked.Length);
            Assert.All(Enumerable.Range(0, raw.Length), k => Assert.True(masked[k] == raw[k] || masked[k] == PiiRedactor.Mask));
        }
    }

    [Fact]
    public void RedactInPlace_should_report_nothing_masked_when_there_is_no_pii()
    {
        var raw = Encoding.UTF8.GetBytes("{\"amount\":12.5,\"currency\":\"EUR\"}");

        Assert.Equal(0, PiiRedactor.RedactInPlace(raw));
    }
}
