using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Pipeline.Host.Inspector;

/// <summary>
/// One connection to an inspector (<see cref="InspectorServer"/>): sends command words, yields the
/// response lines of that request up to the final one. Cancelling a running command (Ctrl+C on
/// <c>log tail</c>) sends a cancel line and drains the command's remaining responses, so the
/// connection stays usable.
/// </summary>
public sealed class InspectorClient : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly TcpClient _tcp;
    private readonly StreamReader _reader;
    private readonly StreamWriter _writer;
    private readonly SemaphoreSlim _writeGate = new(1);
    private readonly string? _token;
    private long _nextId;

    private InspectorClient(TcpClient tcp, string? token)
    {
        _tcp = tcp;
        _token = string.IsNullOrEmpty(token) ? null : token;
        var stream = tcp.GetStream();
        _reader = new StreamReader(stream, new UTF8Encoding(false), false, 4096, leaveOpen: true);
        _writer = new StreamWriter(stream, new UTF8Encoding(false), 4096, leaveOpen: true) { NewLine = "\n" };
    }

    /// <summary>Connects within <paramref name="timeout"/>.</summary>
    /// <exception cref="SocketException">Nothing listens there.</exception>
    /// <exception cref="TimeoutException">The connection did not open in time.</exception>
    public static async Task<InspectorClient> ConnectAsync(string host, int port, string? token, TimeSpan timeout, CancellationToken ct)
    {
        var tcp = new TcpClient { NoDelay = true };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await tcp.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            tcp.Dispose();
            throw new TimeoutException($"no connection within {timeout.TotalSeconds:0.#}s");
        }
        catch
        {
            tcp.Dispose();
            throw;
        }

        return new InspectorClient(tcp, token);
    }

    /// <summary>
    /// Sends <paramref name="words"/> and yields each response (raw line and parsed) until the final
    /// one. When <paramref name="ct"/> is cancelled the command is cancelled on the host and the
    /// enumeration ends quietly.
    /// </summary>
    /// <exception cref="IOException">The host closed the connection before the final response.</exception>
    public async IAsyncEnumerable<(string Raw, InspectorResponse Response)> SendAsync(IReadOnlyList<string> words, [EnumeratorCancellation] CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _nextId);
        await WriteAsync(new InspectorRequest(id, _token, words), CancellationToken.None).ConfigureAwait(false);
        await using var cancel = ct.Register(() => _ = WriteAsync(new InspectorRequest(0, _token, null), CancellationToken.None));
        while (true)
        {
            var raw = await _reader.ReadLineAsync(CancellationToken.None).ConfigureAwait(false)
                ?? throw new IOException("the inspector closed the connection");
            var response = JsonSerializer.Deserialize<InspectorResponse>(raw, Json)
                ?? throw new IOException("the inspector sent an empty response");
            if (response.Id != id && response.Id != 0) continue;
            if (!ct.IsCancellationRequested || response.Kind == "error") yield return (raw, response);
            if (response.Final) yield break;
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _writer.Dispose();
        _tcp.Dispose();
        _writeGate.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task WriteAsync(InspectorRequest request, CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _writer.WriteLineAsync(JsonSerializer.Serialize(request, Json).AsMemory(), ct).ConfigureAwait(false);
            await _writer.FlushAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The reader reports the broken connection.
        }
        finally
        {
            _writeGate.Release();
        }
    }
}
