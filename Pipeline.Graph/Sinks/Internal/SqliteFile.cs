using Microsoft.Data.Sqlite;

namespace Pipeline.Graph.Sinks.Internal;

/// <summary>
/// Opens the embedded default's SQLite file the way every store shares it: folder created, one
/// unpooled connection per writer, WAL so the row writer, the alert writer and readers run side by
/// side, and a busy timeout instead of immediate "database is locked" errors.
/// </summary>
internal static class SqliteFile
{
    internal static SqliteConnection Open(string fullPath, string extraPragmas = "")
    {
        var dir = Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = fullPath, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;" + extraPragmas;
        cmd.ExecuteNonQuery();
        return connection;
    }
}
