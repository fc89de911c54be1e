namespace Veltrix.Hunt.Domain;

/// <summary>
/// What one puzzle may be worth. Totals are 64-bit everywhere downstream (a ledger, the board), so the bound is not there
/// to protect an integer: it keeps one mistyped puzzle (a million too many zeros) from deciding a hunt, and it is checked
/// when the hunt is created, where the author can still fix it, never when a player solves the puzzle.
/// </summary>
public static class PuzzlePoints
{
    public const long Min = 1;
    public const long Max = 1_000_000;

    public static bool IsValid(long? points) => points is >= Min and <= Max;
}
