using Veltrix.Prizes;
using Veltrix.Prizes.Apis;
using Veltrix.Prizes.Claims;
using Veltrix.Prizes.Domain;
using Veltrix.ServiceDefaults.Security;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddEventConfiguration();
builder.AddPlayerTokens();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, PrizesJson.Default));
builder.Services.AddOptions<ClaimOptions>().Bind(builder.Configuration.GetSection(ClaimOptions.SectionName));
builder.Services.AddSingleton<PrizeStore>();
builder.AddClaimWorkflow();

var app = builder.Build();
await app.LoadEventConfigurationAsync();

app.MapDefaultEndpoints();
app.MapPrizeApi();

await app.RunAsync();
