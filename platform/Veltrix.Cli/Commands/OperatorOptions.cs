using System.CommandLine;
using System.Text.Json;
using Veltrix.Cli.Control;

namespace Veltrix.Cli.Commands;

/// <summary>What every command that calls a service's operator API shares: the token, the output format, and how an answer is shown.</summary>
internal static class OperatorOptions
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Option<string?> Token() => new("--token")
    {
        Description = "The operator token (default: VELTRIX_OPERATOR_TOKEN; AppHost prints it).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("VELTRIX_OPERATOR_TOKEN"),
        Recursive = true,
    };

    public static Option<string> Format()
    {
        var format = new Option<string>("--format") { Description = "table (for people) or json (for scripts).", DefaultValueFactory = _ => "table", Recursive = true };
        format.AcceptOnlyFromAmong("table", "json");
        return format;
    }

    /// <summary>JSON as it came (for scripts), or <paramref name="print"/> on success and the problem on failure; the exit code.</summary>
    public static int Show(CliContext cli, string format, ControlResponse response, Action<JsonElement> print)
    {
        if (format == "json")
        {
            cli.Output.WriteLine(JsonSerializer.Serialize(response.Body, Indented));
            return response.IsSuccess ? ExitCodes.Clean : ExitCodes.Problems;
        }
        if (!response.IsSuccess) return ConfigCommands.Problem(cli, response);
        print(response.Body);
        return ExitCodes.Clean;
    }

    public static string Json(JsonElement body) => JsonSerializer.Serialize(body, Indented);
}
