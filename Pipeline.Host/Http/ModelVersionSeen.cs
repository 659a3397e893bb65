namespace Pipeline.Host.Http;

/// <summary>A model version as seen in scored transactions.</summary>
/// <param name="Version">The version id.</param>
/// <param name="FirstSeen">Event time of the first transaction it scored.</param>
/// <param name="LastSeen">Event time of the latest transaction it scored.</param>
/// <param name="Scored">Transactions it scored.</param>
public sealed record ModelVersionSeen(string Version, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, long Scored);
