using Veltrix.Sidecar.Hosting;

// The dev sidecar: check the command line and resources, load components, serve the Dapr HTTP API.
var (options, errors) = SidecarCommandLine.Parse(args);
if (args.Contains("--help") || args.Contains("-h") || args.Contains("-?"))
    return await SidecarCommandLine.Build().Parse(args).InvokeAsync();
if (options is null)
{
    foreach (var error in errors) Console.Error.WriteLine(error);
    return 2;
}
return await SidecarHost.RunAsync(options);
