using System.Net;
using System.Net.Http.Headers;
using Pipeline.Models.Alerting;

namespace Pipeline.Graph.Alerting.Internal;

/// <summary>
/// One JSON POST with a per-request timeout, classified into a <see cref="DeliveryResult"/>. Error
/// texts are built from the status code, a short excerpt of the response body and the error class —
/// never from exception messages or the URL — and are redacted of the given secrets regardless.
/// </summary>
internal static class HttpPost
{
    private const int MaxBodyExcerpt = 200;

    public static async Task<DeliveryResult> SendAsync(
        HttpClient client,
        Uri url,
        byte[] body,
        IEnumerable<KeyValuePair<string, string>> headers,
        TimeSpan timeout,
        TimeProvider clock,
        string?[] secrets,
        CancellationToken cancellationToken)
    {
        using var timeoutCts = new CancellationTokenSource(timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                // Drain the (tiny) body so the connection goes back to the pool.
                await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
                return DeliveryResult.Delivered;
            }

            var excerpt = await Excerpt(response, linked.Token).ConfigureAwait(false);
            var error = SecretMask.Redact(excerpt.Length == 0 ? $"HTTP {code}" : $"HTTP {code}: {excerpt}", secrets);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var retry = response.Headers.RetryAfter;
                return new DeliveryResult(DeliveryResultKind.RateLimited, error, RetryAfter.From(retry?.Delta, retry?.Date, clock.GetUtcNow(), TimeSpan.MaxValue));
            }

            return code >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout
                ? new DeliveryResult(DeliveryResultKind.Transient, error)
                : new DeliveryResult(DeliveryResultKind.Permanent, error);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new DeliveryResult(DeliveryResultKind.Transient, $"timeout after {(long)timeout.TotalMilliseconds} ms");
        }
        catch (HttpRequestException ex)
        {
            return new DeliveryResult(DeliveryResultKind.Transient, $"request failed: {ex.HttpRequestError}");
        }
    }

    private static async Task<string> Excerpt(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            text = text.ReplaceLineEndings(" ").Trim();
            return text.Length > MaxBodyExcerpt ? text[..MaxBodyExcerpt] : text;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return string.Empty;
        }
    }
}
