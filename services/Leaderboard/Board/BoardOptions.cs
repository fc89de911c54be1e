using System.ComponentModel.DataAnnotations;

namespace Veltrix.Leaderboard.Board;

/// <summary>How large a hunt's board may grow (configuration section "Leaderboard"), checked at start-up.</summary>
public sealed class BoardOptions
{
    /// <summary>
    /// Players on one page of a board (<see cref="BoardPages"/>), so that no state document and no batch's write grows
    /// with the number of players: anyone may join a hunt under a new player id. An award for a player new to a full
    /// page is dropped (dead-letter topic) with VX3018; players already on the page keep being updated. With 32 pages
    /// a hunt holds up to 16,000 players at the default (the first page fills a little before that).
    /// </summary>
    [Range(1, 2_000)]
    public int MaxPlayersPerPage { get; set; } = 500;
}
