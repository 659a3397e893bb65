using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Pipeline.Tests.Graph.Retraining;

/// <summary>
/// A TestKit whose actor system journals to its own SQLite file (Akka.Persistence.Sql), deleted
/// after the test; <see cref="Db"/> lets a test start a second system on the same file to prove
/// recovery.
/// </summary>
public abstract class SqliteJournalTestKit : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly DirectoryInfo Dir = Directory.CreateTempSubdirectory("journal-");

    protected SqliteJournalTestKit(ITestOutputHelper output)
        : this(Path.Combine(Dir.FullName, Guid.NewGuid().ToString("N") + ".db"), output)
    {
    }

    private SqliteJournalTestKit(string db, ITestOutputHelper output)
        : base(LifecycleTestKit.SqliteSystem(db), output: output) => Db = db;

    /// <summary>The journal's SQLite file.</summary>
    protected string Db { get; }

    void IDisposable.Dispose()
    {
        base.Dispose();
        SqliteConnection.ClearAllPools();
        File.Delete(Db);
    }
}
