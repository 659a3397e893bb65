namespace Pipeline.Models.Domain;

/// <summary>The member names of the <c>transactions</c> contract (DESIGN §3.1), in contract order.</summary>
internal static class FieldNames
{
    public const int TransactionId = 0;
    public const int AccountId = 1;
    public const int Timestamp = 2;
    public const int Amount = 3;
    public const int Currency = 4;
    public const int MerchantId = 5;
    public const int MerchantCategory = 6;
    public const int Channel = 7;
    public const int Country = 8;
    public const int CardNumber = 9;
    public const int Email = 10;
    public const int DeviceId = 11;
    public const int Lat = 12;
    public const int Lon = 13;

    /// <summary>Marks a member that is not part of the contract.</summary>
    public const int Unknown = -1;

    /// <summary>Indexed by the constants above.</summary>
    public static readonly string[] All =
    [
        "transaction_id", "account_id", "timestamp", "amount", "currency", "merchant_id", "merchant_category",
        "channel", "country", "card_number", "email", "device_id", "lat", "lon",
    ];
}
