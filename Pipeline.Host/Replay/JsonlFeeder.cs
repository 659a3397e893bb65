using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Pipeline.Graph.Sinks;
using Pipeline.Models.Domain;
using Pipeline.Models.Privacy;

namespace Pipeline.Host.Replay;

/// <summary>
/// Feeds a JSON Lines file (one transaction per line, DESIGN §3.1) into a private one-partition
/// topic of an in-process broker, so the file's records reach the replay through exactly the
/// source, decode and offset path the live graph uses. Each record's key is its 1-based line
/// number, which the replay puts in the quarantine row in place of an offset. Lines are read as
/// raw bytes (invalid UTF-8 reaches the decoder untouched); blank lines are skipped; a line longer
/// than <c>pipeline.ingest.max-payload-bytes</c> is quarantined directly (as decode would) instead
/// of being sent. The feeder stays at most <see cref="WindowBytes"/> ahead of the consumer, because
/// the in-process broker keeps only a few megabytes per partition.
/// </summary>
internal sealed class JsonlFeeder(string path, ReplayTracker tracker, DecoderLimits limits, TimeProvider clock)
{
    /// <summary>Bytes produced but not yet read back that the feeder allows.</summary>
    public const long WindowBytes = 2 * 1024 * 1024;

    /// <summary>The topic name the quarantine rows carry: <c>file:/full/path.jsonl</c>.</summary>
    public string SourceName { get; } = "file:" + Path.GetFullPath(path);

    /// <summary>Non-blank lines sent or quarantined so far.</summary>
    public long Lines { get; private set; }

    /// <summary>Blank lines skipped.</summary>
    public long BlankLines { get; private set; }

    /// <summary>Sends every line; returns the number of records sent (the topic's end offset).</summary>
    /// <param name="producer">A producer to the private broker (idempotent, so offsets follow line order).</param>
    /// <param name="topic">The private topic.</param>
    /// <param name="quarantine">Writes a directly quarantined line to the result set.</param>
    /// <param name="ct">Cancelled when the replay stops early.</param>
    /// <exception cref="ReplayException">The file cannot be read, or the broker refused a record.</exception>
    public async Task<long> FeedAsync(IProducer<string, byte[]> producer, string topic, Func<QuarantineEntry, Task> quarantine, CancellationToken ct)
    {
        long sent = 0, sentBytes = 0, lineNumber = 0;
        // Delivery reports arrive on librdkafka's thread.
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Error>();
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await foreach (var line in ReadLinesAsync(file, ct).ConfigureAwait(false))
            {
                lineNumber++;
                if (IsBlank(line))
                {
                    BlankLines++;
                    continue;
                }

                Lines++;
                if (line.Length > limits.MaxPayloadBytes)
                {
                    var rejection = TransactionDecoder.Decode(line, limits).Rejection!;
                    var entry = new QuarantineEntry(clock.GetUtcNow(), SourceName, 0, lineNumber, rejection.Stage.ToString().ToLowerInvariant(), rejection.Reason, rejection.Detail, PiiRedactor.Redact(line));
                    await quarantine(entry).ConfigureAwait(false);
                    tracker.CountQuarantinedDirectly();
                    continue;
                }

                while (true)
                {
                    // Taken before the check, so a record read after the check completes it.
                    var next = tracker.NextRecordAsync();
                    if (sentBytes - tracker.ReadBytes <= WindowBytes || !failures.IsEmpty) break;
                    await next.WaitAsync(ct).ConfigureAwait(false);
                }

                if (!failures.IsEmpty) break;
                producer.Produce(topic, new Message<string, byte[]> { Key = lineNumber.ToString(CultureInfo.InvariantCulture), Value = line }, report =>
                {
                    if (report.Error.IsError) failures.Enqueue(report.Error);
                });
                sent++;
                sentBytes += line.Length;
            }

            while (producer.Flush(TimeSpan.FromMilliseconds(200)) > 0) ct.ThrowIfCancellationRequested();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ReplayException($"cannot read {path}: {ex.Message}", ex);
        }

        if (failures.TryPeek(out var error)) throw new ReplayException($"{path}: a line could not be handed to the replay's in-process broker: {error.Reason}");
        return sent;
    }

    /// <summary>The line number a replayed record came from (its key).</summary>
    public static long LineOf(byte[]? key) =>
        key is not null && long.TryParse(Encoding.UTF8.GetString(key), NumberStyles.None, CultureInfo.InvariantCulture, out var line) ? line : 0;

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return false;
        }

        return true;
    }

    // Lines as raw bytes, split on \n with a trailing \r removed; the last line may lack its \n.
    private static async IAsyncEnumerable<byte[]> ReadLinesAsync(Stream stream, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var buffer = new byte[1 << 16];
        var pending = new MemoryStream();
        int read;
        while ((read = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n') continue;
                pending.Write(buffer, start, i - start);
                yield return TakeLine(pending);
                start = i + 1;
            }

            pending.Write(buffer, start, read - start);
        }

        if (pending.Length > 0) yield return TakeLine(pending);
    }

    private static byte[] TakeLine(MemoryStream pending)
    {
        var bytes = pending.ToArray();
        pending.SetLength(0);
        return bytes.Length > 0 && bytes[^1] == (byte)'\r' ? bytes[..^1] : bytes;
    }
}
