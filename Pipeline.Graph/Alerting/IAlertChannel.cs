using Pipeline.Models.Alerting;
using Pipeline.Models.Anomaly;

namespace Pipeline.Graph.Alerting;

/// <summary>
/// A receiver of alerts fed by an <see cref="AlertDelivery"/> stream from its own outbox rows.
/// Implementations classify every outcome into a <see cref="DeliveryResult"/> instead of throwing
/// (only cancellation of the caller's token propagates), and never put the receiver's URL or secret
/// in a result, a log or <c>ToString</c>.
/// </summary>
public interface IAlertChannel
{
    /// <summary>The channel name in <c>alert_outbox.channel</c> and metric labels (<see cref="AlertChannelNames"/>).</summary>
    string Name { get; }

    /// <summary>Alerts below this severity are marked skipped instead of sent.</summary>
    Severity MinimumSeverity { get; }

    /// <summary>Most posts per second, or null for no limit.</summary>
    double? Rate { get; }

    /// <summary>Posts allowed at once above <see cref="Rate"/>.</summary>
    int Burst { get; }

    /// <summary>Longest one post may take; a claimed row is only posted while its lease outlasts this.</summary>
    TimeSpan Timeout { get; }

    /// <summary>Posts <paramref name="alert"/> once.</summary>
    Task<DeliveryResult> SendAsync(Alert alert, CancellationToken cancellationToken);
}
