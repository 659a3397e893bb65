using System.Runtime.InteropServices;
using System.Text;

namespace Pipeline.Graph.Kafka.Internal;

/// <summary>
/// The few entry points of librdkafka (shipped inside Confluent.Kafka's native package) that
/// Confluent.Kafka does not expose: configuration checks without creating a client, and the
/// in-process mock cluster.
/// </summary>
internal static partial class LibRdKafka
{
    private const string Lib = "librdkafka";

    static LibRdKafka() => NativeLibrary.SetDllImportResolver(typeof(LibRdKafka).Assembly, Resolve);

    /// <summary>rd_kafka_conf_res_t.</summary>
    internal enum ConfResult
    {
        Unknown = -2,
        Invalid = -1,
        Ok = 0,
    }

    [LibraryImport(Lib, EntryPoint = "rd_kafka_conf_new")]
    internal static partial IntPtr ConfNew();

    [LibraryImport(Lib, EntryPoint = "rd_kafka_conf_destroy")]
    internal static partial void ConfDestroy(IntPtr conf);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial ConfResult ConfSet(IntPtr conf, string name, string value, byte[] errstr, UIntPtr errstrSize);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_new")]
    internal static partial IntPtr New(int type, IntPtr conf, byte[] errstr, UIntPtr errstrSize);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_destroy")]
    internal static partial void Destroy(IntPtr rk);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_cluster_new")]
    internal static partial IntPtr MockClusterNew(IntPtr rk, int brokerCount);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    internal static partial void MockClusterDestroy(IntPtr cluster);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    internal static partial IntPtr MockClusterBootstraps(IntPtr cluster);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MockTopicCreate(IntPtr cluster, string topic, int partitions, int replicationFactor);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_broker_set_down")]
    internal static partial int MockBrokerSetDown(IntPtr cluster, int brokerId);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_broker_set_up")]
    internal static partial int MockBrokerSetUp(IntPtr cluster, int brokerId);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_err2str")]
    internal static partial IntPtr ErrorToString(int error);

    /// <summary>
    /// Asks librdkafka whether it accepts <paramref name="name"/> = <paramref name="value"/>; this
    /// is exactly the check <c>Build()</c> makes, without starting a client's threads.
    /// </summary>
    internal static ConfResult TrySet(IntPtr conf, string name, string value, out string error)
    {
        var buffer = new byte[512];
        var result = ConfSet(conf, name, value, buffer, (UIntPtr)buffer.Length);
        error = result == ConfResult.Ok ? string.Empty : ReadCString(buffer);
        return result;
    }

    internal static string ReadCString(byte[] buffer)
    {
        var end = Array.IndexOf(buffer, (byte)0);
        return Encoding.UTF8.GetString(buffer, 0, end < 0 ? buffer.Length : end);
    }

    // librdkafka.redist copies its binaries under runtimes/<rid>/native without listing them as
    // runtime assets, so the default probing does not find them; look where the package puts them.
    private static IntPtr Resolve(string name, System.Reflection.Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Lib) return IntPtr.Zero;
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        // The plain Linux build links libsasl2.so.3, which Debian 12 does not have; the package's
        // centos8 and alpine builds are the fallbacks Confluent.Kafka itself tries, in that order.
        var (os, files) = OperatingSystem.IsWindows() ? ("win", new[] { "librdkafka.dll" })
            : OperatingSystem.IsMacOS() ? ("osx", new[] { "librdkafka.dylib" })
            : ("linux", new[] { "librdkafka.so", "centos8-librdkafka.so", "alpine-librdkafka.so" });
        foreach (var dir in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(assembly.Location) ?? AppContext.BaseDirectory })
        {
            foreach (var file in files)
            {
                if (NativeLibrary.TryLoad(Path.Combine(dir, "runtimes", $"{os}-{arch}", "native", file), out var handle)) return handle;
                if (NativeLibrary.TryLoad(Path.Combine(dir, file), out handle)) return handle;
            }
        }

        return IntPtr.Zero;
    }

    internal static string DescribeError(int error) =>
        Marshal.PtrToStringUTF8(ErrorToString(error)) ?? $"error {error}";
}
