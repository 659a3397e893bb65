using System.Text.Json.Nodes;

namespace Pipeline.Host.Inspector;

/// <summary>
/// One response line: <c>{"id":1,"kind":"result"|"error","final":true,"text":"…","data":{…}}</c>.
/// A command answers one or more responses; the last has <see cref="Final"/> set.
/// </summary>
/// <param name="Id">The request's id.</param>
/// <param name="Kind"><c>result</c> or <c>error</c>.</param>
/// <param name="Final">True on the request's last response.</param>
/// <param name="Text">Human-readable output.</param>
/// <param name="Data">Structured output, or null.</param>
public sealed record InspectorResponse(long Id, string Kind, bool Final, string Text, JsonNode? Data);
