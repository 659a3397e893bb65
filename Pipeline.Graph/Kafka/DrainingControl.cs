namespace Pipeline.Graph.Kafka;

/// <summary>
/// An <see cref="IControl"/> paired with the completion of the stream it feeds, so the stream can
/// be drained with one call. Use as the materialized value:
/// <c>source.ToMaterialized(Committer.Sink(s), DrainingControl&lt;Done&gt;.Create).Run(mat)</c>.
/// </summary>
/// <typeparam name="T">The stream's result type (<c>Done</c> for <see cref="Committer.Sink"/>).</typeparam>
public sealed class DrainingControl<T> : IControl
{
    private readonly IControl _control;

    private DrainingControl(IControl control, Task<T> streamCompletion)
    {
        _control = control;
        StreamCompletion = streamCompletion;
    }

    /// <summary>The stream's completion (the sink's materialized task).</summary>
    public Task<T> StreamCompletion { get; }

    /// <inheritdoc />
    public Task IsShutdown => _control.IsShutdown;

    /// <summary>Pairs <paramref name="control"/> with <paramref name="streamCompletion"/>; fits <c>ToMaterialized</c>'s combiner.</summary>
    public static DrainingControl<T> Create(IControl control, Task<T> streamCompletion)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(streamCompletion);
        return new DrainingControl<T>(control, streamCompletion);
    }

    /// <summary>Pairs a control and a completion materialized with <c>Keep.Both</c>.</summary>
    public static DrainingControl<T> Create((IControl Control, Task<T> StreamCompletion) tuple) =>
        Create(tuple.Control, tuple.StreamCompletion);

    /// <summary>Drains: stop the source, wait for the stream, shut the consumer down. See <see cref="IControl.DrainAndShutdown{T}"/>.</summary>
    public Task<T> DrainAndShutdown() => _control.DrainAndShutdown(StreamCompletion);

    /// <inheritdoc />
    public Task Stop() => _control.Stop();

    /// <inheritdoc />
    public Task Shutdown() => _control.Shutdown();

    /// <inheritdoc />
    public Task<TResult> DrainAndShutdown<TResult>(Task<TResult> streamCompletion) => _control.DrainAndShutdown(streamCompletion);

    /// <inheritdoc />
    public ConsumerStatus Status() => _control.Status();
}
