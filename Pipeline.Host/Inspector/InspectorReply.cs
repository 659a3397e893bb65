using System.Text.Json.Nodes;

namespace Pipeline.Host.Inspector;

/// <summary>What a command answers: text for people, optional structured data for <c>--json</c> and scripts.</summary>
/// <param name="Text">Human-readable output, possibly several lines.</param>
/// <param name="Data">The same content as JSON, or null.</param>
/// <param name="IsError">True when the command failed or was refused; the client exits non-zero.</param>
public sealed record InspectorReply(string Text, JsonNode? Data = null, bool IsError = false)
{
    /// <summary>An error reply with <paramref name="message"/>.</summary>
    public static InspectorReply Error(string message) => new(message, null, true);
}
