using Xunit;

namespace Pipeline.Tests.Infrastructure;

/// <summary>
/// Tests that assert on the process's managed heap (<c>GC.GetTotalMemory</c>) run alone: the heap is shared with
/// every test running at the same time, whose live objects would count as theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMemoryCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "process memory";
}
