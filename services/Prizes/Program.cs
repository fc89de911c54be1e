using Veltrix.Prizes;
using Veltrix.Prizes.Apis;
using Veltrix.Prizes.Claims;
using Veltrix.Prizes.Domain;
using Veltrix.Prizes.Events;
using Veltrix.Sagas;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, PrizesJson.Default));
builder.Services.AddOptions<ClaimOptions>().Bind(builder.Configuration.GetSection(ClaimOptions.SectionName));
var claims = builder.Configuration.GetSection(ClaimOptions.SectionName).Get<ClaimOptions>() ?? new ClaimOptions();
builder.Services.AddSingleton<PrizeStore>();
builder.Services.AddSagas().Add(ClaimSaga.Build(claims));

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapPrizeApi();
app.MapSagaApi();
app.MapPrizeSubscriptions();

app.Run();
