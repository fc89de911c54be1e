using Veltrix.Scoring;
using Veltrix.Scoring.Apis;
using Veltrix.Scoring.Events;
using Veltrix.Scoring.Ledger;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddEventConfiguration();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ScoringJson.Default));
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Add(DebitJson.Default));
builder.Services.AddSingleton<LedgerService>();
builder.Services.AddSingleton<DebitService>();

var app = builder.Build();
await app.LoadEventConfigurationAsync();

app.MapDefaultEndpoints();
app.MapLedgerApi();
app.MapScoringSubscriptions();
app.MapDebitApi();

await app.RunAsync();
