namespace Pipeline.Host.Inspector;

/// <summary>One request line of the inspector protocol: <c>{"id":1,"token":"…","command":["actor","hierarchy","-d","3"]}</c>.</summary>
/// <param name="Id">Echoed in every response to this request.</param>
/// <param name="Token">The shared token, when the host requires one.</param>
/// <param name="Command">The command as words: palette, command, then switches and values.</param>
public sealed record InspectorRequest(long Id, string? Token, IReadOnlyList<string>? Command);
