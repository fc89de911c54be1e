using Veltrix.Hunt;
using Veltrix.Hunt.Apis;
using Veltrix.Hunt.Domain;
using Veltrix.Hunt.Events;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, HuntJson.Default));
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<HuntStore>();
builder.Services.AddSingleton<AnswerChecker>();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapHuntApi();
app.MapHuntSubscriptions();

app.Run();
