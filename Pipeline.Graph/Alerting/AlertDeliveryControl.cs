using Akka.Streams;

namespace Pipeline.Graph.Alerting;

/// <summary>
/// Controls one running <see cref="AlertDelivery"/> stream: stop it cleanly (no new claims, posts in
/// flight finish and are marked, this stream's leases are released so other hosts need not wait for
/// them to expire) and observe its end.
/// </summary>
public sealed class AlertDeliveryControl
{
    private readonly CancellationTokenSource _stopping;
    private readonly IAlertStore _store;
    private readonly TimeProvider _clock;
    private readonly Func<string?> _currentOwner;
    private UniqueKillSwitch? _killSwitch;
    private Task? _completion;

    internal AlertDeliveryControl(string channel, CancellationTokenSource stopping, IAlertStore store, TimeProvider clock, Func<string?> currentOwner)
    {
        Channel = channel;
        _stopping = stopping;
        _store = store;
        _clock = clock;
        _currentOwner = currentOwner;
    }

    /// <summary>The channel this stream delivers.</summary>
    public string Channel { get; }

    /// <summary>Completes when the stream has stopped (after <see cref="StopAsync"/>).</summary>
    public Task Completion => _completion ?? throw new InvalidOperationException("the delivery stream has not been materialized");

    /// <summary>
    /// Stops claiming, waits up to <paramref name="timeout"/> for posts in flight to finish and be
    /// marked (then aborts the stream), and releases the leases this stream still holds.
    /// </summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        var completion = Completion;
        var aborted = false;
        if (await Task.WhenAny(completion, Task.Delay(timeout, _clock)).ConfigureAwait(false) != completion)
        {
            aborted = true;
            _killSwitch?.Abort(new TimeoutException($"alert delivery on {Channel} did not stop within {timeout}"));
        }

        try
        {
            await completion.ConfigureAwait(false);
        }
        catch (Exception) when (aborted)
        {
            // Aborted above: rows still leased are claimed again once their lease expires.
        }

        if (_currentOwner() is { } owner)
        {
            await _store.ReleaseLeasesAsync(Channel, owner, _clock.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        }
    }

    internal AlertDeliveryControl Attach(UniqueKillSwitch killSwitch, Task completion)
    {
        if (_completion is not null) throw new InvalidOperationException("an AlertDelivery graph can be materialized only once; call AlertDelivery.Create again");
        _killSwitch = killSwitch;
        _completion = completion;
        return this;
    }
}
