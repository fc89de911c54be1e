using Veltrix.Resources.Diagnostics;
using Veltrix.Resources.RunTemplates;

namespace Veltrix.Resources.Tests.RunTemplates;

/// <summary>dapr.yaml's sidecar ports as AppHost and `veltrix check` read them (one reader for both).</summary>
public sealed class RunTemplateReaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("veltrix-runfile-").FullName;

    [Fact]
    public void Dapr_grpc_port_is_read_when_given_and_left_to_AppHost_when_not()
    {
        var template = RunTemplateReader.Read(Write("""
            version: 1
            apps:
              - appID: a
                appDirPath: .
                appPort: 5101
                daprHTTPPort: 3501
                daprGRPCPort: 4601
                command: ["dotnet", "run"]
              - appID: b
                appDirPath: .
                appPort: 5102
                command: ["dotnet", "run"]
            """));

        Assert.Equal((3501, 4601), (template.Apps[0].DaprHttpPort, template.Apps[0].DaprGrpcPort));
        Assert.Equal((null, null), ((int?, int?))(template.Apps[1].DaprHttpPort, template.Apps[1].DaprGrpcPort));
        Assert.Empty(template.Warnings); // daprGRPCPort is honoured, so it is not named as a key without effect
    }

    [Fact]
    public void A_grpc_port_given_twice_is_refused_at_the_second_place_with_VX4001()
    {
        var file = Write("""
            version: 1
            apps:
              - appID: a
                appDirPath: .
                appPort: 5101
                daprGRPCPort: 4601
                command: ["dotnet", "run"]
              - appID: b
                appDirPath: .
                appPort: 4601
                command: ["dotnet", "run"]
            """);

        var problems = Assert.Throws<DiagnosticException>(() => RunTemplateReader.Read(file)).Diagnostics;

        var problem = Assert.Single(problems);
        Assert.Equal((ErrorCodes.InvalidRunFile, 10, 14), (problem.Code, problem.Location.Line, problem.Location.Column));
        Assert.Contains("port 4601 is given twice (a.daprGRPCPort and b.appPort)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_grpc_port_that_is_not_a_port_is_refused_where_it_is_written()
    {
        var file = Write("""
            version: 1
            apps:
              - appID: a
                appDirPath: .
                appPort: 5101
                daprGRPCPort: fifty
                command: ["dotnet", "run"]
            """);

        var problem = Assert.Single(Assert.Throws<DiagnosticException>(() => RunTemplateReader.Read(file)).Diagnostics);

        Assert.Equal((6, 19), (problem.Location.Line, problem.Location.Column));
        Assert.Equal("`daprGRPCPort` must be a port number (1-65535), not 'fifty'", problem.Message);
    }

    private string Write(string yaml)
    {
        var file = Path.Combine(_folder, "dapr.yaml");
        File.WriteAllText(file, yaml);
        return file;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
