namespace Pipeline.Models.Alerting;

/// <summary>What <see cref="CooldownPolicy.Decide"/> makes of a candidate alert.</summary>
public enum AlertDecision
{
    /// <summary>At least one of its reasons is outside its cooldown (or escalates): the alert is raised.</summary>
    Raise = 0,

    /// <summary>Every reason repeats an alert of the same account within the dedupe window.</summary>
    SuppressDuplicate = 1,

    /// <summary>Every reason is within its cooldown and none escalates the severity.</summary>
    SuppressCooldown = 2,
}
