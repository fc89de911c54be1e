using System.Security.Cryptography;
using System.Text;

namespace Veltrix.Hunt.Domain;

/// <summary>
/// Answers are compared trimmed and case-insensitively, so that is what gets hashed; the per-hunt salt keeps equal
/// answers in different hunts from having equal hashes.
/// </summary>
public static class AnswerHasher
{
    public static string NewSalt() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public static string Hash(string answer, string salt) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(salt + ":" + Normalise(answer))));

    public static bool Matches(string answer, string salt, string hash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(answer, salt)), Encoding.ASCII.GetBytes(hash));

    private static string Normalise(string answer) => answer.Trim().ToUpperInvariant();
}
