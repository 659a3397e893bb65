using Prometheus;

namespace Pipeline.Graph.Ingest;

/// <summary>
/// Prometheus metrics of the data-quality stages: dead letters, dedupe and PII protection. Takes a
/// registry so tests run isolated; the host passes the registry <c>/metrics</c> exports. Label values
/// are bounded sets (stage names, reason codes, field names), never ids or payload values.
/// </summary>
public sealed class DataQualityMetrics
{
    private readonly Counter _deadLetters;
    private readonly Counter _deadLettersTruncated;
    private readonly Counter _duplicates;
    private readonly Counter _dedupeFallback;
    private readonly Gauge _dedupeDegraded;
    private readonly Counter _piiProtected;
    private readonly Counter _quarantineRedacted;

    // The two tokenised fields are counted for nearly every record: their children are looked up once.
    private readonly Counter.Child _piiCardNumbers;
    private readonly Counter.Child _piiEmails;

    /// <summary>Creates the metrics in <paramref name="registry"/> (the default registry when null).</summary>
    public DataQualityMetrics(CollectorRegistry? registry = null)
    {
        var factory = Metrics.WithCustomRegistry(registry ?? Metrics.DefaultRegistry);
        _deadLetters = factory.CreateCounter("pipeline_dead_letters_total", "Rejected records written to the dead-letter topic, by rejecting stage and reason code.", "stage", "reason");
        _deadLettersTruncated = factory.CreateCounter("pipeline_dead_letters_truncated_total", "Dead-letter records whose value was cut to the producer's message.max.bytes.");
        _duplicates = factory.CreateCounter("pipeline_duplicates_total", "Transactions skipped because their transaction_id was already processed from another record.");
        _dedupeFallback = factory.CreateCounter("pipeline_dedupe_fallback_total", "Dedupe decisions taken by the in-memory fallback because Redis was unavailable.");
        _dedupeDegraded = factory.CreateGauge("pipeline_dedupe_degraded", "1 while the dedupe store is unavailable and the in-memory fallback decides, else 0.");
        _piiProtected = factory.CreateCounter("pipeline_pii_protected_total", "PII values replaced by keyed tokens, by field.", "field");
        _quarantineRedacted = factory.CreateCounter("pipeline_quarantine_redacted_total", "Quarantined records whose stored copy had PII-like bytes masked.");
        _piiCardNumbers = _piiProtected.WithLabels("card_number");
        _piiEmails = _piiProtected.WithLabels("email");
    }

    /// <summary>Total duplicates skipped so far.</summary>
    public double Duplicates => _duplicates.Value;

    /// <summary>Total dedupe decisions taken by the fallback so far.</summary>
    public double DedupeFallbacks => _dedupeFallback.Value;

    /// <summary>True while the dedupe store is degraded to its fallback.</summary>
    public bool DedupeDegraded => _dedupeDegraded.Value > 0;

    /// <summary>Total dead letters written so far.</summary>
    public double DeadLetters => _deadLetters.GetAllLabelValues().Sum(l => _deadLetters.WithLabels(l).Value);

    /// <summary>A rejected record was acknowledged by the dead-letter topic.</summary>
    public void RecordDeadLetter(string stage, string reason, bool truncated)
    {
        _deadLetters.WithLabels(stage, reason).Inc();
        if (truncated) _deadLettersTruncated.Inc();
    }

    /// <summary>A duplicate transaction was skipped.</summary>
    public void RecordDuplicate() => _duplicates.Inc();

    /// <summary><paramref name="claims"/> dedupe decisions were taken by the fallback.</summary>
    public void RecordDedupeFallback(int claims) => _dedupeFallback.Inc(claims);

    /// <summary>Sets whether the dedupe store is degraded.</summary>
    public void SetDedupeDegraded(bool degraded) => _dedupeDegraded.Set(degraded ? 1 : 0);

    /// <summary>A value of <paramref name="field"/> (<c>card_number</c>, <c>email</c>) was tokenised.</summary>
    public void RecordPiiProtected(string field) => RecordPiiProtected(field, 1);

    /// <summary><paramref name="count"/> values of <paramref name="field"/> (<c>card_number</c>, <c>email</c>) were tokenised.</summary>
    public void RecordPiiProtected(string field, int count)
    {
        var child = field switch
        {
            "card_number" => _piiCardNumbers,
            "email" => _piiEmails,
            _ => _piiProtected.WithLabels(field),
        };
        child.Inc(count);
    }

    /// <summary>A quarantined record's stored copy had bytes masked.</summary>
    public void RecordQuarantineRedacted() => _quarantineRedacted.Inc();
}
