namespace Pipeline.Host.Inspector;

/// <summary>Recent drift events, for <c>drift show</c> and the status page. Register one implementation as a singleton.</summary>
public interface IDriftFeed
{
    /// <summary>The newest <paramref name="count"/> events, newest first.</summary>
    IReadOnlyList<DriftEventInfo> RecentDrift(int count);
}
