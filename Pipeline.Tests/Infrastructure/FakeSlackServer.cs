using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pipeline.Tests.Infrastructure;

/// <summary>
/// A Slack incoming-webhook stand-in on loopback (Kestrel on 127.0.0.1, a free port). It records every
/// request (time, path, headers, body, the status it answered or whether the client gave up) and answers
/// from a script: queued responses first, then <see cref="Default"/>. Responses can be 200, 500, 429 with
/// Retry-After, or slow (longer than the client's timeout). <see cref="DeliveredAlertIds"/> dedupes
/// successful deliveries by <c>X-Alert-Id</c>, as a receiver would.
/// </summary>
public sealed class FakeSlackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Response> _script = new();
    private readonly ConcurrentQueue<Request> _requests = new();
    private readonly SemaphoreSlim _arrivals = new(0);

    private FakeSlackServer(WebApplication app) => _app = app;

    /// <summary>What the server answers once the script is used up; 200 "ok" unless changed.</summary>
    public Response Default { get; set; } = Response.Ok;

    /// <summary>The webhook URL, with a Slack-like secret path.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<Request> Requests => _requests.ToArray();

    /// <summary>Alert ids (X-Alert-Id) of requests answered 2xx and not abandoned by the client, deduped.</summary>
    public IReadOnlySet<string> DeliveredAlertIds => _requests.Where(r => r.Delivered && r.AlertId is not null).Select(r => r.AlertId!).ToHashSet();

    /// <summary>Starts a server.</summary>
    public static async Task<FakeSlackServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeSlackServer(app);
        app.Run(server.Handle);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(new Uri(address), "/services/T0FAKE/B0FAKE/" + Guid.NewGuid().ToString("N"));
        return server;
    }

    /// <summary>Queues responses for the next requests, in order.</summary>
    public void Enqueue(params Response[] responses)
    {
        foreach (var r in responses) _script.Enqueue(r);
    }

    /// <summary>Waits until at least <paramref name="count"/> requests have arrived in total.</summary>
    public async Task WaitForRequestsAsync(int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (_requests.Count < count)
        {
            try
            {
                await _arrivals.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{_requests.Count} of {count} requests arrived within {timeout}");
            }
        }
    }

    /// <summary>Waits until <paramref name="count"/> distinct alerts have been delivered.</summary>
    public async Task WaitForDeliveriesAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DeliveredAlertIds.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"{DeliveredAlertIds.Count} of {count} alerts delivered within {timeout}");
            try
            {
                await _arrivals.WaitAsync(left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
            }
            catch (OperationCanceledException)
            {
                // Re-check below.
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task Handle(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var response = _script.TryDequeue(out var scripted) ? scripted : Default;
        var request = new Request(DateTimeOffset.UtcNow, context.Request.Path.Value ?? string.Empty, headers, body.ToArray(), response.Status);
        try
        {
            if (response.Delay > TimeSpan.Zero) await Task.Delay(response.Delay, context.RequestAborted);
            context.Response.StatusCode = response.Status;
            if (response.RetryAfter is { } retryAfter) context.Response.Headers.RetryAfter = retryAfter;
            await context.Response.WriteAsync(response.Body, context.RequestAborted);
            await context.Response.CompleteAsync();
        }
        catch (OperationCanceledException)
        {
            request.Abandoned = true;
        }
        finally
        {
            _requests.Enqueue(request);
            _arrivals.Release();
        }
    }

    /// <summary>One scripted answer.</summary>
    /// <param name="Status">HTTP status.</param>
    /// <param name="Body">Response body.</param>
    /// <param name="RetryAfter">Retry-After header value, or null.</param>
    /// <param name="Delay">Wait before answering (longer than the client's timeout makes it a timeout).</param>
    public sealed record Response(int Status, string Body = "ok", string? RetryAfter = null, TimeSpan Delay = default)
    {
        /// <summary>200 ok.</summary>
        public static readonly Response Ok = new(200);

        /// <summary>500.</summary>
        public static readonly Response ServerError = new(500, "internal_error");

        /// <summary>429 with Retry-After.</summary>
        public static Response TooManyRequests(string retryAfter) => new(429, "rate_limited", retryAfter);

        /// <summary>200 after <paramref name="delay"/>.</summary>
        public static Response Slow(TimeSpan delay) => new(200, "ok", null, delay);
    }

    /// <summary>One recorded request.</summary>
    /// <param name="ReceivedAt">When it arrived.</param>
    /// <param name="Path">Request path.</param>
    /// <param name="Headers">Request headers (case-insensitive names).</param>
    /// <param name="Body">Request body bytes.</param>
    /// <param name="Status">The status the script chose.</param>
    public sealed record Request(DateTimeOffset ReceivedAt, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, int Status)
    {
        /// <summary>True when the client gave up before the answer (timeout).</summary>
        public bool Abandoned { get; set; }

        /// <summary>The X-Alert-Id header, or null.</summary>
        public string? AlertId => Headers.TryGetValue("X-Alert-Id", out var id) ? id : null;

        /// <summary>The body as UTF-8 text.</summary>
        public string BodyText => System.Text.Encoding.UTF8.GetString(Body);

        /// <summary>Answered 2xx and received by the client.</summary>
        public bool Delivered => Status is >= 200 and < 300 && !Abandoned;
    }
}
