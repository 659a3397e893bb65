using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Pipeline.Models.Domain;
using Pipeline.Models.Privacy;
using Pipeline.Tests.Models.Domain;
using Xunit;

namespace Pipeline.Tests.Models.Privacy;

public sealed class PiiProtectorTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("test-key-0123456789abcdef0123456789abcdef");
    private readonly PiiProtector _protector = new(Key, "k-test");

    [Fact]
    public void Protect_should_replace_card_number_and_email_by_tokens_and_keep_the_last_four_digits()
    {
        var clear = DecoderTestData.Expected;

        var protectedTransaction = _protector.Protect(clear);

        Assert.StartsWith(PiiProtector.TokenPrefix, protectedTransaction.CardNumber);
        Assert.StartsWith(PiiProtector.TokenPrefix, protectedTransaction.Email);
        Assert.Equal("1234", protectedTransaction.CardLast4);
        Assert.DoesNotContain(DecoderTestData.CardNumber, protectedTransaction.ToString());
        Assert.Equal(clear with { CardNumber = protectedTransaction.CardNumber, Email = protectedTransaction.Email, CardLast4 = "1234" }, protectedTransaction);
    }

    [Fact]
    public void Token_should_be_the_keyed_hmac_of_field_and_value_in_base64url_when_computed_independently()
    {
        var expected = "tok_" + Base64Url.EncodeToString(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes("card_number\u00004111111111111111"))[..16]);

        Assert.Equal(expected, _protector.TokenizeCardNumber("4111111111111111"));
        Assert.Equal(26, expected.Length);
    }

    [Fact]
    public void Token_should_be_the_keyed_hmac_when_the_value_is_too_long_for_the_stack_buffer()
    {
        var email = new string('a', 400) + "@example.com";
        var expected = "tok_" + Base64Url.EncodeToString(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes("email\u0000" + email))[..16]);

        Assert.Equal(expected, _protector.TokenizeEmail(email));
    }

    [Fact]
    public async Task Tokens_should_match_the_independent_hmac_when_many_threads_tokenise_at_once()
    {
        var cards = Enumerable.Range(0, 64).Select(i => $"4000{i:D12}").ToArray();
        var expected = cards.Select(c => "tok_" + Base64Url.EncodeToString(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes("card_number\u0000" + c))[..16])).ToArray();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
            Enumerable.Range(0, 400).All(i => _protector.TokenizeCardNumber(cards[(i + t) % cards.Length]) == expected[(i + t) % cards.Length]))));

        Assert.All(results, Assert.True);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    public async Task Tokens_should_be_the_keyed_hmac_from_the_token_cache_too_when_values_repeat_and_evict_each_other_across_threads(int slots)
    {
        // One slot: every value evicts the one before, so the check covers replaced entries and misses.
        var cached = new PiiProtector(Key, "k-test", tokenCacheSize: slots);
        var cards = Enumerable.Range(0, 64).Select(i => $"4000{i:D12}").ToArray();
        var expected = cards.Select(c => "tok_" + Base64Url.EncodeToString(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes("card_number\u0000" + c))[..16])).ToArray();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
            Enumerable.Range(0, 2000).All(i => cached.TokenizeCardNumber(cards[(i * 7 + t) % cards.Length]) == expected[(i * 7 + t) % cards.Length]))));

        Assert.All(results, Assert.True);
        Assert.Equal(_protector.TokenizeEmail("Someone@Example.com"), cached.TokenizeEmail("someone@example.com "));
        Assert.NotEqual(cached.TokenizeCardNumber("4000000000000001"), cached.TokenizeEmail("4000000000000001"));
    }

    [Fact]
    public void Protect_should_allocate_no_token_when_the_card_and_email_were_seen_recently()
    {
        var cached = new PiiProtector(Key, "k-test", tokenCacheSize: 1024);
        var clear = DecoderTestData.Expected;
        var first = cached.Protect(clear);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var second = cached.Protect(clear);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var uncachedBefore = GC.GetAllocatedBytesForCurrentThread();
        _protector.Protect(clear);
        var uncached = GC.GetAllocatedBytesForCurrentThread() - uncachedBefore;

        Assert.Equal(first, second);
        Assert.Same(first.CardNumber, second.CardNumber);
        Assert.Same(first.Email, second.Email);
        // Only the protected copy of the transaction (and its last four digits) is new; the two tokens are not.
        Assert.True(allocated <= uncached - 2 * 70, $"a repeated transaction allocated {allocated} B, one with new tokens {uncached} B");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("\"note\": \"call me at jane.doe@example.com\", \"ref\": \"4111 1111 1111 1111\"")]
    public void Decode_with_a_protector_should_give_the_protected_transaction_without_a_copy_in_clear(string? extra)
    {
        var payload = extra is null ? DecoderTestData.Bytes() : Encoding.UTF8.GetBytes(DecoderTestData.Json().TrimEnd().TrimEnd('}') + ", " + extra + "}");
        var clear = TransactionDecoder.Decode(payload, DecoderTestData.Limits).Value!;
        var expected = _protector.Protect(clear) with { ExtraJson = clear.ExtraJson is { } json ? PiiRedactor.RedactText(json) : null };

        var before = GC.GetAllocatedBytesForCurrentThread();
        var fused = TransactionDecoder.Decode(payload, DecoderTestData.Limits, _protector).Value!;
        var fusedBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        var twoStep = _protector.Protect(TransactionDecoder.Decode(payload, DecoderTestData.Limits).Value!);
        if (twoStep.ExtraJson is { } text) twoStep = twoStep with { ExtraJson = PiiRedactor.RedactText(text) };
        var twoStepBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(expected, fused);
        Assert.Equal(twoStep, fused);
        Assert.DoesNotContain("jane.doe", fused.ExtraJson ?? string.Empty);
        Assert.True(fusedBytes < twoStepBytes, $"decoding with the protector allocated {fusedBytes} B, decoding then protecting {twoStepBytes} B");
    }

    [Theory]
    [InlineData("\"4111 1111-1111 1111\"", "\"  Jane.Doe@Example.COM \"")]
    [InlineData("\" 4111111111111111 \"", "\"jane@example.com\"")]
    [InlineData("\"4111\\u00201111\\u002D1111 1111\"", "\"jane\\u0040example.com\"")]
    [InlineData("\"4111 1111 1111 111x\"", "\"JÜRGEN@BÄCKER.DE\"")]
    [InlineData("\"1234\"", "\"\"")]
    [InlineData("\"\"", "\"   \"")]
    [InlineData("null", "null")]
    [InlineData(null, "\"Only@Email.example\"")]
    [InlineData("\"4111 1111 1111 1111\"", null)]
    public void Decode_with_a_protector_should_give_the_tokens_and_last_four_that_protecting_the_decoded_text_gives(string? card, string? email)
    {
        // From the bytes (plain ASCII) or from the text (escapes, other scripts): the same tokens either way.
        var payload = DecoderTestData.Bytes(("card_number", card), ("email", email));
        var expected = _protector.Protect(TransactionDecoder.Decode(payload, DecoderTestData.Limits).Value!);

        var fused = TransactionDecoder.Decode(payload, DecoderTestData.Limits, _protector).Value!;

        Assert.Equal(expected, fused);
        Assert.Equal(expected.CardLast4, fused.CardLast4);
    }

    [Fact]
    public void Decode_with_a_protector_should_reject_what_decode_rejects_with_the_same_reason()
    {
        var payload = DecoderTestData.Bytes(("amount", "-5"));

        var plain = TransactionDecoder.Decode(payload, DecoderTestData.Limits);
        var fused = TransactionDecoder.Decode(payload, DecoderTestData.Limits, _protector);

        Assert.False(fused.IsValid);
        Assert.Equal(plain.Rejection, fused.Rejection);
    }

    [Fact]
    public void Constructor_should_refuse_a_negative_token_cache_size()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PiiProtector(Key, "k-test", tokenCacheSize: -1));
    }

    [Fact]
    public void TokenizeCardNumber_should_give_one_token_when_only_spaces_and_dashes_differ()
    {
        Assert.Equal(_protector.TokenizeCardNumber("4111111111111111"), _protector.TokenizeCardNumber(" 4111 1111-1111 1111 "));
    }

    [Fact]
    public void TokenizeEmail_should_give_one_token_when_only_case_and_surrounding_space_differ()
    {
        Assert.Equal(_protector.TokenizeEmail("alice@example.com"), _protector.TokenizeEmail("  Alice@EXAMPLE.com "));
        Assert.NotEqual(_protector.TokenizeEmail("alice@example.com"), _protector.TokenizeEmail("alice@example.org"));
    }

    [Fact]
    public void Tokens_should_differ_when_the_key_differs_or_the_field_differs()
    {
        var other = new PiiProtector(Encoding.UTF8.GetBytes("another-key-0123456789abcdef0123456789"), "k2");

        Assert.NotEqual(_protector.TokenizeCardNumber("4111111111111111"), other.TokenizeCardNumber("4111111111111111"));
        Assert.NotEqual(_protector.TokenizeCardNumber("4111111111111111"), _protector.TokenizeEmail("4111111111111111"));
    }

    [Theory]
    [InlineData("4111111111111111", "1111")]
    [InlineData("4111-1111-1111-1234", "1234")]
    [InlineData("378282246310005", "0005")]
    [InlineData("12345", null)]
    [InlineData("12345678901", null)]
    [InlineData("12345678901234567890", null)]
    [InlineData("4111-1111-xxxx-1234", null)]
    public void CardLast4_should_keep_four_digits_only_for_values_shaped_like_card_numbers(string card, string? expected)
    {
        Assert.Equal(expected, PiiProtector.CardLast4(card));
    }

    [Fact]
    public void Protect_should_leave_a_transaction_without_pii_unchanged()
    {
        var clear = DecoderTestData.Expected with { CardNumber = null, Email = null };

        Assert.Same(clear, _protector.Protect(clear));
    }

    [Fact]
    public void Constructor_should_refuse_a_key_shorter_than_32_bytes()
    {
        var ex = Assert.Throws<ArgumentException>(() => new PiiProtector(new byte[31], "k"));

        Assert.Contains("32", ex.Message);
    }

    [Fact]
    public void ToString_should_name_the_key_id_and_never_the_key()
    {
        var text = _protector.ToString();

        Assert.Contains("k-test", text);
        Assert.DoesNotContain("test-key", text);
    }
}
