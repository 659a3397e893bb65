using System.Buffers;
using System.Text;
using System.Text.Json;
using Pipeline.Graph.Drift;

namespace Pipeline.Graph.Outputs;

/// <summary>
/// The JSON value of a <c>drift-events</c> record (DESIGN §3.3): snake-case members in this order —
/// <c>detected_at</c> (RFC 3339 UTC: event time of the transaction or label that completed the
/// detection), <c>detector</c> ("adwin" or "ddm"), <c>signal</c> ("score", "amount_zscore" or
/// "label_error"), <c>value</c> (the detector's estimate: ADWIN mean, DDM error rate; null when not
/// finite), <c>details</c> (human-readable context) and <c>model_version</c> (the version scoring
/// when the drift was detected).
/// </summary>
public static class DriftEventJson
{
    /// <summary>Serializes <paramref name="drift"/>, detected while <paramref name="modelVersion"/> was scoring, to compact UTF-8 JSON.</summary>
    public static byte[] Serialize(DriftEvent drift, string modelVersion)
    {
        ArgumentNullException.ThrowIfNull(drift);
        ArgumentNullException.ThrowIfNull(modelVersion);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("detected_at", drift.Timestamp.ToUniversalTime());
            w.WriteString("detector", drift.Detector);
            w.WriteString("signal", drift.Signal);
            if (double.IsFinite(drift.Value)) w.WriteNumber("value", drift.Value);
            else w.WriteNull("value");
            w.WriteString("details", drift.Details);
            w.WriteString("model_version", modelVersion);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Serializes to a JSON string; see <see cref="Serialize"/>.</summary>
    public static string SerializeToString(DriftEvent drift, string modelVersion) => Encoding.UTF8.GetString(Serialize(drift, modelVersion));
}
