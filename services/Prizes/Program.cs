using Veltrix.Prizes;
using Veltrix.Prizes.Apis;
using Veltrix.Prizes.Claims;
using Veltrix.Prizes.Domain;
using Veltrix.Prizes.Events;
using Veltrix.Sagas;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddEventConfiguration();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, PrizesJson.Default));
builder.Services.AddOptions<ClaimOptions>().Bind(builder.Configuration.GetSection(ClaimOptions.SectionName));
var claims = builder.Configuration.GetSection(ClaimOptions.SectionName).Get<ClaimOptions>() ?? new ClaimOptions();
builder.Services.AddSingleton<PrizeStore>();
// Claim steps are short sidecar calls (timeouts of 5 s): a 10 s lease lets a restarted process take over a killed one's claims quickly.
builder.Services.AddSagas(o => o.LeaseDuration = TimeSpan.FromSeconds(10)).Add(ClaimSaga.Build(claims));

var app = builder.Build();
await app.LoadEventConfigurationAsync();

app.MapDefaultEndpoints();
app.MapPrizeApi();
app.MapSagaApi();
app.MapPrizeSubscriptions();

await app.RunAsync();
