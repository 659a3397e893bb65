namespace Pipeline.Tests.Host.Docs;

/// <summary>
/// One documented key of <c>reference.conf</c>: its full dotted path, its default as written, its
/// one-line meaning and the block it is listed under in the README.
/// </summary>
internal sealed record ConfigurationKey(string Path, string Default, string Meaning, string Group);
