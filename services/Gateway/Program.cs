using Veltrix.Gateway;
using Veltrix.Gateway.Apis;
using Veltrix.Gateway.Ingest;
using Veltrix.ServiceDefaults.Security;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddEventConfiguration();
builder.AddPlayerTokens();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, GatewayJson.Default));
builder.Services.AddGatewayIngest(builder.Configuration);

var app = builder.Build();
await app.LoadEventConfigurationAsync();

app.MapDefaultEndpoints();
app.MapEventsApi();
app.MapEventSubscriptions(_ => { }); // produces only: follows activations through the change event

await app.RunAsync();
