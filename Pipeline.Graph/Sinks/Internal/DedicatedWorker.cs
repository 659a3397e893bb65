using System.Collections.Concurrent;

namespace Pipeline.Graph.Sinks.Internal;

/// <summary>
/// One OS thread that runs blocking work (a synchronous database driver) in submission order, so
/// blocking calls never occupy a dispatcher or thread-pool thread.
/// </summary>
internal sealed class DedicatedWorker : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _thread;

    public DedicatedWorker(string name)
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public Task<T> Run<T>(Func<T> work)
    {
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _work.Add(() =>
            {
                try
                {
                    tcs.SetResult(work());
                }
                catch (Exception ex)
                {
                    tcs.SetException(ex);
                }
            });
        }
        catch (InvalidOperationException)
        {
            tcs.SetException(new ObjectDisposedException(_thread.Name));
        }

        return tcs.Task;
    }

    public void Dispose()
    {
        _work.CompleteAdding();
        if (Thread.CurrentThread != _thread) _thread.Join(TimeSpan.FromSeconds(30));
    }

    private void Loop()
    {
        foreach (var action in _work.GetConsumingEnumerable()) action();
    }
}
