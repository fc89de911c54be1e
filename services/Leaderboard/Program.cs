using Veltrix.Leaderboard;
using Veltrix.Leaderboard.Apis;
using Veltrix.Leaderboard.Board;
using Veltrix.Leaderboard.Claims;
using Veltrix.Leaderboard.Events;
using Veltrix.Leaderboard.Page;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddEventConfiguration();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, LeaderboardJson.Default));
builder.Services.AddOptions<LiveViewerOptions>().Bind(builder.Configuration.GetSection("Leaderboard")).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<BoardOptions>().Bind(builder.Configuration.GetSection("Leaderboard")).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<BoardChanges>();
builder.Services.AddSingleton<BoardStore>();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<RecentClaims>();

var app = builder.Build();
await app.LoadEventConfigurationAsync();

app.MapDefaultEndpoints();
app.MapLeaderboardApi();
app.MapLeaderboardPage();
app.MapLeaderboardSubscriptions();

await app.RunAsync();
