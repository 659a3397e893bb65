namespace Pipeline.Graph.Windows.Internal;

/// <summary>
/// How an <see cref="InMemoryFeatureStateStore"/> asks a running stage of the same process to hand
/// accounts over. With an in-process store a stage writes an account only when it leaves the stage,
/// so when another stage loads an account (its partition moved to another consumer of this
/// process) the store first asks every other registered stage to write and release it. Requests
/// are queued here and the stage is woken to answer them on its own thread; once the stage has
/// stopped (and written everything it held) requests complete at once.
/// </summary>
internal sealed class AccountHandover(Action wake)
{
    private readonly Lock _gate = new();
    private List<(IReadOnlyList<string> Ids, TaskCompletionSource Done)> _requests = [];
    private bool _closed;

    /// <summary>Completes once the stage has written and released whichever of <paramref name="accountIds"/> it held.</summary>
    public Task ReleaseAsync(IReadOnlyList<string> accountIds)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_closed) return Task.CompletedTask;
            _requests.Add((accountIds, done));
        }

        wake();
        return done.Task;
    }

    /// <summary>The requests queued since the last call, or null; called on the stage's thread.</summary>
    public List<(IReadOnlyList<string> Ids, TaskCompletionSource Done)>? TakeRequests()
    {
        lock (_gate)
        {
            if (_requests.Count == 0) return null;
            var taken = _requests;
            _requests = [];
            return taken;
        }
    }

    /// <summary>
    /// Marks the stage stopped (its accounts are written) and completes every queued request:
    /// later requests complete at once.
    /// </summary>
    public void Close()
    {
        List<(IReadOnlyList<string> Ids, TaskCompletionSource Done)> pending;
        lock (_gate)
        {
            _closed = true;
            pending = _requests;
            _requests = [];
        }

        foreach (var (_, done) in pending) done.TrySetResult();
    }
}
