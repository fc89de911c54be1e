using System.CommandLine;
using Veltrix.Cli.Checking;
using Veltrix.Cli.Graph;
using Veltrix.Cli.Rendering;
using Veltrix.Events.Checks;

namespace Veltrix.Cli.Commands;

/// <summary>`veltrix check [DIR]` and `veltrix graph [DIR]`.</summary>
public static class CheckCommands
{
    public static Command Check(CliContext cli)
    {
        var dir = new Argument<string>("DIR") { Description = "The project folder (with dapr.yaml, components/, events/).", DefaultValueFactory = _ => "." };
        var format = new Option<string>("--format") { Description = "text (for people) or json (for tools).", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var target = TargetOption();
        var command = new Command("check", "Run every static check over dapr.yaml, the Dapr resources and events/*.yaml.") { dir, format, target };
        command.SetAction(result =>
        {
            if (Load(cli, result.GetValue(dir)!, result.GetValue(target)!) is not { } checkResult) return ExitCodes.CouldNotRun;
            cli.Output.WriteLine(result.GetValue(format) == "json"
                ? DiagnosticRenderer.Json(checkResult.Diagnostics)
                : DiagnosticRenderer.Text(checkResult.Diagnostics, checkResult.Root));
            return checkResult.HasErrors ? ExitCodes.Problems : ExitCodes.Clean;
        });
        return command;
    }

    public static Command Graph(CliContext cli)
    {
        var dir = new Argument<string>("DIR") { Description = "The project folder.", DefaultValueFactory = _ => "." };
        var format = new Option<string>("--format") { Description = "mermaid or dot.", DefaultValueFactory = _ => "mermaid" };
        format.AcceptOnlyFromAmong("mermaid", "dot");
        var command = new Command("graph", "Print the topology: producers → topics → consumers, and dead-letter topics → their owners.") { dir, format };
        command.SetAction(result =>
        {
            if (Load(cli, result.GetValue(dir)!, "dev") is not { } checkResult) return ExitCodes.CouldNotRun;
            cli.Output.Write(result.GetValue(format) == "dot" ? TopologyGraph.Dot(checkResult.Configurations) : TopologyGraph.Mermaid(checkResult.Configurations));
            return ExitCodes.Clean;
        });
        return command;
    }

    private static Option<string> TargetOption()
    {
        var target = new Option<string>("--target")
        {
            Description = "dev: the Veltrix dev sidecar (one process serves every app); daprd: one daprd per app (Kubernetes, dapr run).",
            DefaultValueFactory = _ => "dev",
        };
        target.AcceptOnlyFromAmong("dev", "daprd");
        return target;
    }

    private static CheckResult? Load(CliContext cli, string dir, string target)
    {
        if (!Directory.Exists(dir))
        {
            cli.Error.WriteLine($"error[{EventErrorCodes.CliCannotRun}]: folder '{dir}' does not exist\n  = help: pass the project folder (the one with dapr.yaml), or run from inside it");
            return null;
        }
        return ProjectCheck.Run(dir, target == "daprd" ? RuntimeTarget.Daprd : RuntimeTarget.DevSidecar);
    }
}
