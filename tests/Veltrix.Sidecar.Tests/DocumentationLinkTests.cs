using System.Text.RegularExpressions;
using Markdig;
using Markdig.Extensions.AutoIdentifiers;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests;

/// <summary>
/// Every relative link in the repository's Markdown (README.md, docs/, the corpus notes) reaches a file that exists and,
/// when it names a heading, a heading that exists — by the anchor GitHub gives it. A heading renamed without its links
/// is what this catches: the docs change as the measurements do, and a link into them is easy to leave behind.
/// The Markdown is read by Markdig, as GitHub reads it: code blocks and code spans hold no links or headings.
/// </summary>
public sealed partial class DocumentationLinkTests
{
    private static readonly MarkdownPipeline GitHubMarkdown = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseAutoIdentifiers(AutoIdentifierOptions.GitHub)
        .Build();

    [Fact]
    public void Every_relative_link_and_anchor_in_the_documentation_resolves()
    {
        var documents = Directory.EnumerateFiles(RepositoryLayout.Root, "*.md", SearchOption.AllDirectories)
            .Where(file => !Path.GetRelativePath(RepositoryLayout.Root, file).Split(Path.DirectorySeparatorChar)
                .Any(part => part is "bin" or "obj" or ".git" or "node_modules"))
            .ToList();
        var anchorsByFile = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        HashSet<string> AnchorsOf(string file) => anchorsByFile.TryGetValue(file, out var known) ? known : anchorsByFile[file] = Anchors(File.ReadAllText(file));
        var broken = new List<string>();
        var links = 0;
        foreach (var document in documents)
            foreach (var link in Markdown.Parse(File.ReadAllText(document), GitHubMarkdown).Descendants<LinkInline>())
            {
                var target = link.Url ?? "";
                if (Scheme().IsMatch(target)) continue; // https:, mailto: — another site's business
                links++;
                var hash = target.IndexOf('#');
                var path = hash < 0 ? target : target[..hash];
                var anchor = hash < 0 ? null : Uri.UnescapeDataString(target[(hash + 1)..]);
                var resolved = path.Length == 0 ? document : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(document)!, Uri.UnescapeDataString(path)));
                var where = $"{Path.GetRelativePath(RepositoryLayout.Root, document)}:{link.Line + 1}";
                if (!File.Exists(resolved) && !Directory.Exists(resolved))
                    broken.Add($"{where}: '{target}' — no such file");
                else if (anchor is not null && resolved.EndsWith(".md", StringComparison.Ordinal) && !AnchorsOf(resolved).Contains(anchor))
                    broken.Add($"{where}: '{target}' — no heading with that anchor in {Path.GetFileName(resolved)}");
            }

        Assert.True(links > 50, $"only {links} relative links found: the scan no longer reads the documentation");
        Assert.True(broken.Count == 0, "broken links:\n" + string.Join('\n', broken));
    }

    [Theory]
    [InlineData("## Capacity: the hunt offered 10,000–12,000 answers/s (issue 13)", "capacity-the-hunt-offered-1000012000-answerss-issue-13")]
    [InlineData("### The claim workflow (`services/Prizes/Claims/ClaimWorkflow.cs`)", "the-claim-workflow-servicesprizesclaimsclaimworkflowcs")]
    [InlineData("### gateway — `POST /v1/events`", "gateway--post-v1events")]
    public void Anchors_are_made_as_GitHub_makes_them(string heading, string anchor) =>
        Assert.Contains(anchor, Anchors(heading));

    [Fact]
    public void A_repeated_heading_gets_a_numbered_anchor_and_a_heading_in_a_code_block_gets_none()
    {
        var anchors = Anchors("## Notes\n\n```bash\n# 201 Created\n```\n\n## Notes\n");

        Assert.Equal(["notes", "notes-1"], anchors.Order());
    }

    /// <summary>The anchors GitHub gives the document's headings.</summary>
    private static HashSet<string> Anchors(string markdown) =>
        Markdown.Parse(markdown, GitHubMarkdown).Descendants<HeadingBlock>()
            .Select(heading => heading.GetAttributes().Id)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex Scheme();
}
