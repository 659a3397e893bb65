using System.Runtime.InteropServices;
using Pipeline.Graph.Kafka.Internal;

namespace Pipeline.Graph.Kafka;

/// <summary>
/// An in-process Kafka-protocol broker: librdkafka's mock cluster, reached through its native
/// API. It speaks the real wire protocol on loopback ports, so any Kafka client (this process,
/// <c>kcat</c>, another host) can use <see cref="BootstrapServers"/>. It keeps roughly 5 MB per
/// partition and drops older data, like a short retention, and auto-creates topics with four
/// partitions on first produce. It is the broker of the embedded default and of the tests.
/// </summary>
public sealed class MockKafkaCluster : IDisposable
{
    private IntPtr _handle;
    private IntPtr _cluster;

    private MockKafkaCluster(IntPtr handle, IntPtr cluster, string bootstrapServers)
    {
        _handle = handle;
        _cluster = cluster;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>The comma-separated <c>host:port</c> list of the mock brokers.</summary>
    public string BootstrapServers { get; }

    /// <summary>Starts a cluster of <paramref name="brokers"/> brokers (1–16) on loopback.</summary>
    /// <exception cref="InvalidOperationException">librdkafka could not create the cluster.</exception>
    public static MockKafkaCluster Start(int brokers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(brokers, 16);

        var conf = LibRdKafka.ConfNew();
        // The owning handle never talks to the cluster; keep it quiet.
        LibRdKafka.TrySet(conf, "log_level", "3", out _);
        var errstr = new byte[512];
        var rk = LibRdKafka.New(0, conf, errstr, (UIntPtr)errstr.Length);
        if (rk == IntPtr.Zero)
        {
            LibRdKafka.ConfDestroy(conf);
            throw new InvalidOperationException($"librdkafka could not create the mock cluster's handle: {LibRdKafka.ReadCString(errstr)}");
        }

        var cluster = LibRdKafka.MockClusterNew(rk, brokers);
        if (cluster == IntPtr.Zero)
        {
            LibRdKafka.Destroy(rk);
            throw new InvalidOperationException("librdkafka could not create the mock cluster");
        }

        var bootstraps = Marshal.PtrToStringUTF8(LibRdKafka.MockClusterBootstraps(cluster)) ?? string.Empty;
        return new MockKafkaCluster(rk, cluster, bootstraps);
    }

    /// <summary>
    /// Creates <paramref name="topic"/> with <paramref name="partitions"/> partitions. Admin
    /// <c>CreateTopics</c> does not work against the mock controller; this does.
    /// </summary>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var err = LibRdKafka.MockTopicCreate(Cluster, topic, partitions, replicationFactor);
        if (err != 0)
        {
            throw new InvalidOperationException($"mock cluster could not create topic '{topic}': {LibRdKafka.DescribeError(err)}");
        }
    }

    /// <summary>Takes broker <paramref name="brokerId"/> (1-based) down: its connections close and it refuses new ones.</summary>
    public void SetBrokerDown(int brokerId) => Check(LibRdKafka.MockBrokerSetDown(Cluster, brokerId), "set broker down");

    /// <summary>Brings broker <paramref name="brokerId"/> back up.</summary>
    public void SetBrokerUp(int brokerId) => Check(LibRdKafka.MockBrokerSetUp(Cluster, brokerId), "set broker up");

    /// <summary>Destroys the cluster; clients still connected see the brokers disappear.</summary>
    public void Dispose()
    {
        var cluster = Interlocked.Exchange(ref _cluster, IntPtr.Zero);
        if (cluster != IntPtr.Zero) LibRdKafka.MockClusterDestroy(cluster);
        var handle = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (handle != IntPtr.Zero) LibRdKafka.Destroy(handle);
    }

    private IntPtr Cluster => _cluster != IntPtr.Zero ? _cluster : throw new ObjectDisposedException(nameof(MockKafkaCluster));

    private static void Check(int err, string what)
    {
        if (err != 0) throw new InvalidOperationException($"mock cluster could not {what}: {LibRdKafka.DescribeError(err)}");
    }
}
