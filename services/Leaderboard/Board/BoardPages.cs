using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Veltrix.Leaderboard.Board;

/// <summary>
/// How a hunt's board is split over state keys: <see cref="Count"/> pages, <c>board:{huntId}:page:{n}</c>, a player
/// on page <c>n</c> = the first four bytes of SHA-256(UTF-8 player id), big-endian, modulo <see cref="Count"/>.
/// </summary>
/// <remarks>
/// The hash must give every process the same page for a player, now and after a restart (string.GetHashCode is
/// randomised per process), or two instances would keep one player on two pages. 32 pages: a batch of awards for a
/// few players rewrites a thirty-second of the board instead of all of it, a bulk delivery (500 messages at most)
/// touches at most 32 keys, and the whole board is still one bulk read of 32 keys. Changing the count moves players
/// between pages, so it is a constant, not a setting.
/// </remarks>
public static class BoardPages
{
    public const int Count = 32;

    public static int Of(string playerId)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(playerId), hash);
        return (int)(BinaryPrimitives.ReadUInt32BigEndian(hash) % Count);
    }

    public static string Key(string huntId, int page) => string.Create(CultureInfo.InvariantCulture, $"board:{huntId}:page:{page}");

    public static IReadOnlyList<string> AllKeys(string huntId) => Enumerable.Range(0, Count).Select(page => Key(huntId, page)).ToList();
}
