namespace Pipeline.Models.Domain;

/// <summary>Which check turned a payload away (DESIGN §3.1); stored with every quarantined record.</summary>
public enum RejectionStage
{
    /// <summary>The bytes are not a well-formed, bounded JSON document: empty, too large, invalid UTF-8, not JSON,
    /// nested too deep, a duplicate member name, or data after the document.</summary>
    Decode,

    /// <summary>The JSON is well formed but not the contract's shape: not an object, a required field missing,
    /// or a field of the wrong JSON type.</summary>
    Schema,

    /// <summary>Every field has the right type but a value breaks a rule (UUID, lengths, ranges, codes, clock).</summary>
    Rule,
}
