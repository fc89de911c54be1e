namespace Veltrix.Leaderboard.Board;

/// <summary>What became of one award in <see cref="BoardStore.ApplyAsync"/>.</summary>
public enum AwardOutcome
{
    /// <summary>Saved, or already reflected by a total of the same or a newer version.</summary>
    Applied,

    /// <summary>Not saved: its page kept changing under every attempt, or the store failed. Redeliver.</summary>
    Retry,

    /// <summary>The player is new to a page that holds <see cref="BoardOptions.MaxPlayersPerPage"/> players (VX3018). Drop.</summary>
    PageFull,
}
