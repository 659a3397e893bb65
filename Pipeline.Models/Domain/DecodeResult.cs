using System.Diagnostics.CodeAnalysis;

namespace Pipeline.Models.Domain;

/// <summary>
/// The outcome of decoding one payload: either a valid value or the <see cref="Domain.Rejection"/> that
/// explains why there is none. A struct so that the common, valid case allocates nothing beyond the value.
/// The decoders never return <c>default</c>; a default instance reports invalid with no rejection.
/// </summary>
/// <typeparam name="T">The decoded record type.</typeparam>
public readonly struct DecodeResult<T> where T : class
{
    private DecodeResult(T? value, Rejection? rejection)
    {
        Value = value;
        Rejection = rejection;
    }

    /// <summary>True when <see cref="Value"/> holds a record that passed every check.</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Rejection))]
    public bool IsValid => Value is not null;

    /// <summary>The decoded record, or null when the payload was rejected.</summary>
    public T? Value { get; }

    /// <summary>Why the payload was rejected, or null when it is valid.</summary>
    public Rejection? Rejection { get; }

    /// <summary>A valid result.</summary>
    public static DecodeResult<T> Valid(T value) => new(value ?? throw new ArgumentNullException(nameof(value)), null);

    /// <summary>A rejected result.</summary>
    public static DecodeResult<T> Invalid(Rejection rejection) =>
        new(null, rejection ?? throw new ArgumentNullException(nameof(rejection)));

    /// <inheritdoc />
    public override string ToString() => IsValid ? $"Valid({Value})" : $"Invalid({Rejection})";
}
