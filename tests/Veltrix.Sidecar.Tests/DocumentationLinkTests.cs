using System.Text;
using System.Text.RegularExpressions;
using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests;

/// <summary>
/// Every relative link in the repository's Markdown (README.md, docs/, the corpus notes) reaches a file that exists and,
/// when it names a heading, a heading that exists — by the anchor GitHub gives it. A heading renamed without its links
/// is what this catches: the docs change as the measurements do, and a link into them is easy to leave behind.
/// </summary>
public sealed partial class DocumentationLinkTests
{
    [Fact]
    public void Every_relative_link_and_anchor_in_the_documentation_resolves()
    {
        var documents = Directory.EnumerateFiles(RepositoryLayout.Root, "*.md", SearchOption.AllDirectories)
            .Where(file => !Path.GetRelativePath(RepositoryLayout.Root, file).Split(Path.DirectorySeparatorChar)
                .Any(part => part is "bin" or "obj" or ".git" or "node_modules"))
            .ToList();
        var broken = new List<string>();
        var links = 0;
        foreach (var document in documents)
        {
            var lines = File.ReadAllLines(document);
            foreach (var (line, number) in OutsideCodeBlocks(lines))
                foreach (Match link in InlineLink().Matches(StripInlineCode(line)))
                {
                    var target = link.Groups["target"].Value;
                    if (Scheme().IsMatch(target)) continue;
                    links++;
                    var hash = target.IndexOf('#');
                    var path = hash < 0 ? target : target[..hash];
                    var anchor = hash < 0 ? null : Uri.UnescapeDataString(target[(hash + 1)..]);
                    var resolved = path.Length == 0 ? document : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(document)!, Uri.UnescapeDataString(path)));
                    var where = $"{Path.GetRelativePath(RepositoryLayout.Root, document)}:{number}";
                    if (!File.Exists(resolved) && !Directory.Exists(resolved))
                        broken.Add($"{where}: '{target}' — no such file");
                    else if (anchor is not null && resolved.EndsWith(".md", StringComparison.Ordinal) && !Anchors(File.ReadAllLines(resolved)).Contains(anchor))
                        broken.Add($"{where}: '{target}' — no heading with that anchor in {Path.GetFileName(resolved)}");
                }
        }

        Assert.True(links > 50, $"only {links} relative links found: the scan no longer reads the documentation");
        Assert.True(broken.Count == 0, "broken links:\n" + string.Join('\n', broken));
    }

    [Theory]
    [InlineData("## Capacity: the hunt offered 10,000–12,000 answers/s (issue 13)", "capacity-the-hunt-offered-1000012000-answerss-issue-13")]
    [InlineData("### The claim workflow (`services/Prizes/Claims/ClaimWorkflow.cs`)", "the-claim-workflow-servicesprizesclaimsclaimworkflowcs")]
    [InlineData("### gateway — `POST /v1/events`", "gateway--post-v1events")]
    public void Anchors_are_made_as_GitHub_makes_them(string heading, string anchor) =>
        Assert.Contains(anchor, Anchors([heading]));

    [Fact]
    public void A_repeated_heading_gets_a_numbered_anchor_and_a_heading_in_a_code_block_gets_none()
    {
        var anchors = Anchors(["## Notes", "```bash", "# 201 Created", "```", "## Notes"]);

        Assert.Equal(["notes", "notes-1"], anchors.Order());
    }

    /// <summary>
    /// GitHub's anchors: the heading's text in lower case, every character that is not a letter, a digit, a space, a hyphen
    /// or an underscore dropped, spaces made hyphens; a repeated anchor gets -1, -2, … in order.
    /// </summary>
    private static HashSet<string> Anchors(IReadOnlyList<string> lines)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (line, _) in OutsideCodeBlocks(lines))
        {
            var heading = Heading().Match(line);
            if (!heading.Success) continue;
            var text = new StringBuilder();
            foreach (var c in heading.Groups["text"].Value.Trim().ToLowerInvariant())
                if (char.IsLetterOrDigit(c) || c is '-' or '_') text.Append(c);
                else if (c == ' ') text.Append('-');
            var slug = text.ToString();
            var count = seen.GetValueOrDefault(slug);
            seen[slug] = count + 1;
            anchors.Add(count == 0 ? slug : $"{slug}-{count}");
        }
        return anchors;
    }

    /// <summary>The lines outside fenced code blocks, with their 1-based numbers.</summary>
    private static IEnumerable<(string Line, int Number)> OutsideCodeBlocks(IReadOnlyList<string> lines)
    {
        var fenced = false;
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }
            if (!fenced) yield return (lines[i], i + 1);
        }
    }

    private static string StripInlineCode(string line) => InlineCode().Replace(line, "");

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)(\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex Scheme();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex InlineCode();
}
