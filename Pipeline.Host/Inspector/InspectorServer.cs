using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pipeline.Host.Inspector;

/// <summary>
/// The inspector's TCP endpoint (the host side of <c>pbm</c>): newline-delimited JSON, one
/// <see cref="InspectorRequest"/> per line, answered by one or more <see cref="InspectorResponse"/>
/// lines. Binds <c>pipeline.inspector.host:port</c> (loopback by default). When a token is set,
/// a request without the right one gets an error reply and the connection is closed; tokens are
/// compared in constant time. When the port is taken the host runs on without the inspector and
/// logs an error: diagnostics never stop transactions from being processed. A line arriving while a command still replies cancels that command
/// (that is how a client stops <c>log tail</c>) and is then served as the next request; a request
/// without command words only cancels and gets no reply.
/// </summary>
public sealed class InspectorServer(InspectorSettings settings, InspectorDispatcher dispatcher, ILogger<InspectorServer> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>Longest accepted request line, in characters; longer lines close the connection.</summary>
    public const int MaxRequestChars = 64 * 1024;

    /// <summary>Most connections served at once; further clients wait for a free slot.</summary>
    public const int MaxConnections = 16;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _slots = new(MaxConnections);
    private readonly List<Task> _sessions = [];
    private TcpListener? _listener;
    private Task? _accepting;

    /// <summary>The bound endpoint once started (the real port when configured with 0).</summary>
    public IPEndPoint? Endpoint { get; private set; }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!settings.Enabled)
        {
            logger.LogInformation("Inspector disabled (pipeline.inspector.enabled = off)");
            return Task.CompletedTask;
        }

        var listener = new TcpListener(settings.Host, settings.Port);
        try
        {
            listener.Start();
        }
        catch (SocketException ex)
        {
            // A diagnostics port must never stop transactions from being processed: run without it, loudly.
            listener.Dispose();
            logger.LogError("Inspector cannot listen on {Host}:{Port} ({SocketError}); running without it — set pipeline.inspector.port (0 = any free port) or disable it",
                settings.Host, settings.Port, ex.SocketErrorCode);
            return Task.CompletedTask;
        }

        _listener = listener;
        Endpoint = (IPEndPoint)listener.LocalEndpoint;
        logger.LogInformation("Inspector listening on {Endpoint} (token {TokenMode}); connect with: pbm {Endpoint}",
            Endpoint, settings.Token.Length == 0 ? "not required" : "required", Endpoint);
        _accepting = AcceptAsync(listener, _stopping.Token);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Stop();
        if (_accepting is not null) await _accepting.ConfigureAwait(false);
        Task[] sessions;
        lock (_sessions) sessions = [.. _sessions];
        await Task.WhenAll(sessions).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
        _slots.Dispose();
    }

    /// <summary>True when <paramref name="given"/> matches <paramref name="expected"/>; the time taken does not depend on where they differ or on their lengths.</summary>
    public static bool TokenMatches(string expected, string? given)
    {
        if (expected.Length == 0) return true;
        var a = SHA256.HashData(Encoding.UTF8.GetBytes(expected));
        var b = SHA256.HashData(Encoding.UTF8.GetBytes(given ?? string.Empty));
        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                await _slots.WaitAsync(ct).ConfigureAwait(false);
                client = await listener.AcceptTcpClientAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var session = ServeAsync(client, ct);
            lock (_sessions)
            {
                _sessions.RemoveAll(t => t.IsCompleted);
                _sessions.Add(session);
            }
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken ct)
    {
        var remote = client.Client.RemoteEndPoint;
        try
        {
            using (client)
            {
                client.NoDelay = true;
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
                await using var writer = new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 4096, leaveOpen: true) { NewLine = "\n", AutoFlush = false };
                var next = reader.ReadLineAsync(ct).AsTask();
                while (true)
                {
                    var line = await next.ConfigureAwait(false);
                    if (line is null) return;
                    if (line.Length > MaxRequestChars)
                    {
                        await SendAsync(writer, new InspectorResponse(0, "error", true, $"request longer than {MaxRequestChars} characters", null), ct).ConfigureAwait(false);
                        return;
                    }

                    if (line.Trim().Length == 0)
                    {
                        next = reader.ReadLineAsync(ct).AsTask();
                        continue;
                    }

                    InspectorRequest? request;
                    try
                    {
                        request = JsonSerializer.Deserialize<InspectorRequest>(line, Json);
                    }
                    catch (JsonException ex)
                    {
                        await SendAsync(writer, new InspectorResponse(0, "error", true, $"request is not valid JSON: {ex.Message}", null), ct).ConfigureAwait(false);
                        next = reader.ReadLineAsync(ct).AsTask();
                        continue;
                    }

                    if (request is null) return;
                    if (!TokenMatches(settings.Token, request.Token))
                    {
                        logger.LogWarning("Inspector refused a request from {Remote}: wrong or missing token", remote);
                        await SendAsync(writer, new InspectorResponse(request.Id, "error", true, "unauthorized: wrong or missing token (pbm --token, PIPELINE_INSPECTOR_TOKEN)", null), ct).ConfigureAwait(false);
                        return;
                    }

                    next = reader.ReadLineAsync(ct).AsTask();
                    if (request.Command is not { Count: > 0 }) continue; // a cancel line: it already stopped the running command
                    await RunAsync(writer, request, next, ct).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            // The client went away or the host stops: nothing to answer.
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task RunAsync(StreamWriter writer, InspectorRequest request, Task<string?> nextLine, CancellationToken ct)
    {
        using var command = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _ = nextLine.ContinueWith(_ => CancelQuietly(command), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var words = request.Command ?? [];
        var streaming = dispatcher.IsStreaming(words);
        InspectorReply? pending = null;
        try
        {
            await foreach (var reply in dispatcher.ExecuteAsync(words, command.Token).ConfigureAwait(false))
            {
                if (streaming && !reply.IsError)
                {
                    // A stream has no last element to mark: each entry goes out at once, an empty final response ends it.
                    await SendAsync(writer, ToResponse(request.Id, reply, false), ct).ConfigureAwait(false);
                    continue;
                }

                // One reply behind, so the last one can carry final = true.
                if (pending is not null) await SendAsync(writer, ToResponse(request.Id, pending, false), ct).ConfigureAwait(false);
                pending = reply;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The client sent another line: a streaming command ends here.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Inspector command {Command} failed", string.Join(' ', request.Command ?? []));
            if (pending is not null) await SendAsync(writer, ToResponse(request.Id, pending, false), ct).ConfigureAwait(false);
            pending = InspectorReply.Error($"command failed: {ex.GetType().Name}: {ex.Message}");
        }

        await SendAsync(writer, ToResponse(request.Id, pending ?? new InspectorReply(string.Empty), true), ct).ConfigureAwait(false);
    }

    private static void CancelQuietly(CancellationTokenSource cts)
    {
        try
        {
            cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The command had already finished.
        }
    }

    private static InspectorResponse ToResponse(long id, InspectorReply reply, bool final) =>
        new(id, reply.IsError ? "error" : "result", final, reply.Text, reply.Data);

    private static async Task SendAsync(StreamWriter writer, InspectorResponse response, CancellationToken ct)
    {
        await writer.WriteLineAsync(JsonSerializer.Serialize(response, Json).AsMemory(), ct).ConfigureAwait(false);
        await writer.FlushAsync(ct).ConfigureAwait(false);
    }
}
