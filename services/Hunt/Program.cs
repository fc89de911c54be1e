using Veltrix.Hunt;
using Veltrix.Hunt.Apis;
using Veltrix.Hunt.Domain;
using Veltrix.Hunt.Events;
using Veltrix.ServiceDefaults.Security;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddEventConfiguration();
builder.AddPlayerTokens();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, HuntJson.Default));
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<HuntStore>();
builder.Services.AddSingleton<AnswerChecker>();
builder.Services.AddSingleton<PlayerJoins>();

var app = builder.Build();
_ = app.Services.GetRequiredService<HuntStore>(); // its settings are checked at start-up, not at the first answer
await app.LoadEventConfigurationAsync();

app.MapDefaultEndpoints();
app.MapHuntApi();
app.MapHuntSubscriptions();

await app.RunAsync();
