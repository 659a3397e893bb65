using System.Runtime.InteropServices;

namespace Pipeline.Models.Features.Internal;

/// <summary>One non-empty time bucket of a window: 28 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct Bucket
{
    /// <summary>Event time in milliseconds divided (floor) by the bucket width.</summary>
    public long Index;

    /// <summary>Sum of the amounts.</summary>
    public double Sum;

    /// <summary>Sum of the squared amounts.</summary>
    public double SumOfSquares;

    /// <summary>Transactions in the bucket.</summary>
    public int Count;
}
