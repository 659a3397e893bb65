namespace Pipeline.Host.Http;

/// <summary>The outcome of the readiness checks: each check's name and "ok" or what is wrong.</summary>
public sealed record HealthReport(bool Ready, IReadOnlyDictionary<string, string> Checks);
