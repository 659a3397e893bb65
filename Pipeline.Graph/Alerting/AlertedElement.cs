using Pipeline.Graph.Ingest;
using Pipeline.Models.Alerting;

namespace Pipeline.Graph.Alerting;

/// <summary>
/// An element of the main graph after the alert writer: the element itself and, when its transaction
/// raised an alert (newly, or again on a replay), that alert — already durable in the alert store.
/// </summary>
/// <param name="Element">The graph element, unchanged.</param>
/// <param name="Alert">The alert of its transaction, or null (not anomalous, or suppressed).</param>
public sealed record AlertedElement(PipelineElement Element, Alert? Alert);
