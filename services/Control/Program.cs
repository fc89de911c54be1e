using Veltrix.Control;
using Veltrix.Control.Apis;
using Veltrix.Control.Configurations;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddEventConfiguration();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ControlJson.Default));
builder.Services.AddSingleton<SidecarCheckContext>();
builder.Services.AddSingleton<ConfigurationVersions>();

var app = builder.Build();
await app.LoadEventConfigurationAsync();

app.MapDefaultEndpoints();
app.MapConfigurationsApi();
app.MapEventSubscriptions(_ => { }); // control publishes the change event; it handles no event type

await app.RunAsync();
