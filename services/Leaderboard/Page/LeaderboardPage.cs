namespace Veltrix.Leaderboard.Page;

/// <summary>GET / — the live leaderboard page (one static HTML file compiled into the service).</summary>
public static class LeaderboardPage
{
    private static readonly Lazy<string> Html = new(() =>
    {
        using var stream = typeof(LeaderboardPage).Assembly.GetManifestResourceStream("Veltrix.Leaderboard.Page.index.html")
            ?? throw new InvalidOperationException("the leaderboard page is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static IEndpointRouteBuilder MapLeaderboardPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Results.Content(Html.Value, "text/html; charset=utf-8"));
        return app;
    }
}
