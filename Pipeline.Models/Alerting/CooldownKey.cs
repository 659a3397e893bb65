namespace Pipeline.Models.Alerting;

/// <summary>What dedupe and cooldown are tracked per: one account and one reason code.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="Reason">A reason code of an alert (see <see cref="Alert.CooldownReasons"/>).</param>
public readonly record struct CooldownKey(string AccountId, string Reason);
