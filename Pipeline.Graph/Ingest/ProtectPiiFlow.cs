using Akka;
using Akka.Event;
using Akka.Streams.Dsl;
using Pipeline.Models.Privacy;

namespace Pipeline.Graph.Ingest;

/// <summary>
/// Removes PII from everything that flows past it, so no later stage, log line, table or topic sees a card
/// number or e-mail in clear (DESIGN §3.1):
/// <list type="bullet">
/// <item>an <see cref="AcceptedTransaction"/> gets its card number and e-mail replaced by keyed tokens
/// (<see cref="PiiProtector"/>), the last four card digits kept in <c>CardLast4</c>, and PII-like text in its
/// unknown fields (<c>ExtraJson</c>) masked by <see cref="PiiRedactor"/>;</item>
/// <item>a <see cref="QuarantinedRecord"/> gets the bytes stored in the quarantine table masked by
/// <see cref="PiiRedactor"/> (it could not be decoded, so there is nothing to tokenise). Place
/// <see cref="DeadLetterFlow"/> before this stage: the dead-letter topic keeps the original bytes.</item>
/// </list>
/// Other elements pass through unchanged.
/// <para>
/// Emits one element per input, in order; backpressures when downstream does; completes when upstream
/// completes; never fails on any input; cancels upstream when downstream cancels. Materialized value:
/// <see cref="NotUsed"/>. Reads <c>pipeline.pii</c> through <see cref="PiiSettings"/>; logs a warning when the
/// key is a random per-run key.
/// </para>
/// </summary>
public static class ProtectPiiFlow
{
    /// <summary>The protection flow with the key of <paramref name="settings"/>.</summary>
    public static Flow<PipelineElement, PipelineElement, NotUsed> Create(PiiSettings settings, DataQualityMetrics metrics, ILoggingAdapter log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(log);
        WarnIfEphemeral(settings, log);
        var protector = settings.CreateProtector();
        return Flow.Create<PipelineElement>()
            .Select(element => Protect(element, protector, metrics))
            .Named("protect-pii");
    }

    /// <summary>
    /// The batch form for the graph's ingest path (<see cref="IngestFlow"/>): protects every element of each array in
    /// place (arrays are owned by the stream, nothing upstream reads them again) and emits the array. Accepted
    /// transactions the decode stage already tokenised pass unchanged and are counted here, after dedupe, so the
    /// counters agree with the per-element chain (a duplicate counts nothing).
    /// </summary>
    internal static Flow<PipelineElement[], PipelineElement[], NotUsed> CreateBatches(PiiProtector protector, DataQualityMetrics metrics) =>
        Flow.Create<PipelineElement[]>()
            .Select(batch =>
            {
                int cards = 0, emails = 0;
                for (var i = 0; i < batch.Length; i++)
                {
                    if (batch[i] is AcceptedTransaction { PiiProtected: true, Transaction: var transaction })
                    {
                        // Tokens keep absent values absent, so a present token is a tokenised value.
                        if (transaction.CardNumber is not null) cards++;
                        if (transaction.Email is not null) emails++;
                    }
                    else
                    {
                        batch[i] = Protect(batch[i], protector, metrics);
                    }
                }

                if (cards > 0) metrics.RecordPiiProtected("card_number", cards);
                if (emails > 0) metrics.RecordPiiProtected("email", emails);
                return batch;
            })
            .Named("protect-pii");

    /// <summary>Logs the warning of an ephemeral key (see <see cref="Create"/>).</summary>
    internal static void WarnIfEphemeral(PiiSettings settings, ILoggingAdapter log)
    {
        if (settings.IsEphemeral)
        {
            log.Warning(
                "No PII key configured ({Variable} / pipeline.pii.key): card numbers and e-mails are tokenised with a random key for this run only, so their tokens change on every restart",
                PiiSettings.KeyEnvironmentVariable);
        }
    }

    /// <summary>Protects one element; public for the replay and re-drive tools.</summary>
    public static PipelineElement Protect(PipelineElement element, PiiProtector protector, DataQualityMetrics metrics)
    {
        switch (element)
        {
            case AcceptedTransaction { PiiProtected: false } accepted:
            {
                var transaction = accepted.Transaction;
                if (transaction.CardNumber is null && transaction.Email is null && transaction.ExtraJson is null) return accepted;
                if (transaction.CardNumber is not null) metrics.RecordPiiProtected("card_number");
                if (transaction.Email is not null) metrics.RecordPiiProtected("email");
                var protectedTransaction = protector.Protect(transaction);
                if (transaction.ExtraJson is { } extra) protectedTransaction = protectedTransaction with { ExtraJson = PiiRedactor.RedactText(extra) };
                return accepted with { Transaction = protectedTransaction, PiiProtected = true };
            }

            case QuarantinedRecord { Redacted: false } quarantined:
            {
                var raw = quarantined.Entry.Raw.ToArray();
                if (PiiRedactor.RedactInPlace(raw) > 0) metrics.RecordQuarantineRedacted();
                return quarantined with { Entry = quarantined.Entry with { Raw = raw }, Redacted = true };
            }

            default:
                return element;
        }
    }
}
