using System.Diagnostics;
using System.Text;

namespace Pipeline.Tests.Infrastructure;

/// <summary>
/// Runs a server binary for the tests and kills it when the test run ends, whatever happens.
/// Output is kept so a failure to start can say why.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process)
    {
        _process = process;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
    }

    /// <summary>What the server printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>True while the process runs.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>Starts <paramref name="file"/>; when the tests run as root, as <paramref name="runAsUser"/> if given.</summary>
    public static ServerProcess Start(string file, IEnumerable<string> args, string? runAsUser = null)
    {
        var info = RunAsInfo(file, args, runAsUser);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(process);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Runs a command to completion and returns its exit code and output.</summary>
    public static (int ExitCode, string Output) Run(string file, IEnumerable<string> args, string? runAsUser = null, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = RunAsInfo(file, args, runAsUser);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>True when the current process runs as root (initdb refuses to).</summary>
    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>Kills the process tree.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped: nothing left to stop.
        }
    }

    private static ProcessStartInfo RunAsInfo(string file, IEnumerable<string> args, string? runAsUser)
    {
        var info = new ProcessStartInfo { UseShellExecute = false };
        if (runAsUser is not null && IsRoot)
        {
            info.FileName = "runuser";
            info.ArgumentList.Add("-u");
            info.ArgumentList.Add(runAsUser);
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(file);
        }
        else
        {
            info.FileName = file;
        }

        foreach (var a in args) info.ArgumentList.Add(a);
        return info;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }
}
