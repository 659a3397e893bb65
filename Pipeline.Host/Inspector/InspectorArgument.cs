namespace Pipeline.Host.Inspector;

/// <summary>One switch of an inspector command, as <c>help</c> describes it.</summary>
/// <param name="Switch">The switch as typed, e.g. <c>-d</c> or <c>--confirm</c>.</param>
/// <param name="Name">What the value is, e.g. <c>depth</c>.</param>
/// <param name="Description">One line of help.</param>
/// <param name="TakesValue">True when the next token is the switch's value; false for a bare flag.</param>
/// <param name="Default">The value used when the switch is absent, as shown in help; null for none.</param>
public sealed record InspectorArgument(string Switch, string Name, string Description, bool TakesValue, string? Default = null);
