using Veltrix.Testing;

namespace Veltrix.Sidecar.Tests.Startup;

/// <summary>Bad configuration stops start-up with the VX code, the file and line, and what to do — never a stack trace.</summary>
public sealed class StartupRefusalTests
{
    private static async Task<string> RefusedAsync(string yaml, int expectedExit = 1, string fileName = "bad.yaml")
    {
        using var resources = new ResourcesFolder();
        resources.Write(fileName, yaml);
        await using var sidecar = SidecarProcess.Start(["--app-id", "refused", "--dapr-http-port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--resources-path", resources.Path]);
        var exit = await sidecar.WaitForExitAsync();
        Assert.Equal(expectedExit, exit);
        Assert.DoesNotContain("   at ", sidecar.Output, StringComparison.Ordinal); // no stack trace
        return sidecar.Output.Replace(resources.Path + Path.DirectorySeparatorChar, "", StringComparison.Ordinal);
    }

    private static string Component(string type, string metadata = "[]", string name = "broker") => $"""
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: {name}
        spec:
          type: {type}
          version: v1
          metadata: {metadata}
        """;

    [Fact]
    public async Task An_unknown_component_type_lists_the_supported_ones()
    {
        var output = await RefusedAsync(Component("pubsub.in-memroy"));
        Assert.Contains("bad.yaml:6:9: error VX1003: component 'broker' has unknown type 'pubsub.in-memroy'", output, StringComparison.Ordinal);
        Assert.Contains("did you mean 'pubsub.in-memory'?", output, StringComparison.Ordinal);
        Assert.Contains("pubsub.in-memory, pubsub.rabbitmq, state.in-memory, state.postgresql, state.sqlite", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_component_only_daprd_can_run_says_so()
    {
        var output = await RefusedAsync(Component("pubsub.kafka", "\n    - name: brokers\n      value: localhost:9092\n    - name: authType\n      value: none"));
        Assert.Contains("bad.yaml:6:9: error VX1004: component 'broker' has type 'pubsub.kafka', which the dev sidecar cannot run", output, StringComparison.Ordinal);
        Assert.Contains("run this component with daprd", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_metadata_key_suggests_the_right_one()
    {
        var output = await RefusedAsync(Component("state.sqlite", "\n    - name: conectionString\n      value: x.db", name: "statestore"));
        Assert.Contains("bad.yaml:9:13: error VX1005: component 'statestore' (state.sqlite) has no metadata key 'conectionString'", output, StringComparison.Ordinal);
        Assert.Contains("did you mean 'connectionString'?", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_metadata_value_of_the_wrong_type_is_refused()
    {
        var output = await RefusedAsync(Component("state.sqlite", "\n    - name: connectionString\n      value: x.db\n    - name: disableWAL\n      value: sometimes", name: "statestore"));
        Assert.Contains("bad.yaml:12:14: error VX1006: metadata 'disableWAL' of component 'statestore': 'sometimes' is not a boolean", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_required_metadata_is_refused()
    {
        var output = await RefusedAsync(Component("state.sqlite", name: "statestore"));
        Assert.Contains("error VX1007: component 'statestore' (state.sqlite) needs metadata 'connectionString'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_yaml_names_the_line()
    {
        var output = await RefusedAsync("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n spec: [unclosed\n");
        Assert.Matches(@"bad\.yaml:\d+:\d+: error VX1001: the file is not valid YAML", output);
    }

    [Fact]
    public async Task Duplicate_component_names_point_at_both_places()
    {
        var output = await RefusedAsync(Component("pubsub.in-memory") + "\n---\n" + Component("pubsub.in-memory"));
        Assert.Contains("bad.yaml:13:9: error VX1008: component name 'broker' is already used by another component", output, StringComparison.Ordinal);
        Assert.Contains("see also: ", output, StringComparison.Ordinal);
        Assert.Contains("bad.yaml:4:9", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subscription_on_a_pubsub_that_does_not_exist_is_refused()
    {
        var output = await RefusedAsync(Component("pubsub.in-memory", name: "pubsub") + """

            ---
            apiVersion: dapr.io/v2alpha1
            kind: Subscription
            metadata:
              name: orders
            spec:
              pubsubname: pubsbu
              topic: orders
              routes:
                default: /orders
            """);
        Assert.Contains("bad.yaml:15:15: error VX1009: subscription 'orders' uses pub/sub 'pubsbu', which no component defines", output, StringComparison.Ordinal);
        Assert.Contains("did you mean 'pubsub'?", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_routing_rule_outside_the_supported_cel_subset_is_refused_at_load()
    {
        var output = await RefusedAsync(Component("pubsub.in-memory", name: "pubsub") + """

            ---
            apiVersion: dapr.io/v2alpha1
            kind: Subscription
            metadata:
              name: orders
            spec:
              pubsubname: pubsub
              topic: orders
              routes:
                rules:
                  - match: int(event.data.amount) > 100
                    path: /big
                default: /orders
            """);
        Assert.Contains("error VX1010: routing rule 'int(event.data.amount) > 100' of subscription 'orders' cannot be used", output, StringComparison.Ordinal);
        Assert.Contains("bad.yaml:19:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scope_instead_of_scopes_is_caught()
    {
        var output = await RefusedAsync(Component("pubsub.in-memory") + "\nscope:\n  - hunt\n");
        Assert.Contains("bad.yaml:9:1: error VX1016: unknown field 'scope' in a Component", output, StringComparison.Ordinal);
        Assert.Contains("did you mean 'scopes'?", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_resiliency_target_naming_an_undefined_policy_is_refused()
    {
        var output = await RefusedAsync(Component("pubsub.in-memory", name: "pubsub") + """

            ---
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata:
              name: r
            spec:
              policies:
                retries:
                  fast:
                    policy: constant
                    duration: 1s
              targets:
                components:
                  pubsub:
                    inbound:
                      retry: fsat
            """);
        Assert.Contains("error VX1013: retry policy 'fsat' is not defined under spec.policies", output, StringComparison.Ordinal);
        Assert.Contains("did you mean 'fast'?", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_problem_is_reported_in_one_run()
    {
        var output = await RefusedAsync(Component("pubsub.nope", name: "a") + "\n---\n" + Component("state.sqlite", name: "b"));
        Assert.Contains("VX1003", output, StringComparison.Ordinal);
        Assert.Contains("VX1007", output, StringComparison.Ordinal);
        Assert.Contains("2 problem(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_resources_folder_is_refused()
    {
        await using var sidecar = SidecarProcess.Start(["--app-id", "x", "--dapr-http-port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--resources-path", "/nonexistent/components"]);
        Assert.Equal(1, await sidecar.WaitForExitAsync());
        Assert.Contains("error VX1018: resources path '/nonexistent/components' does not exist", sidecar.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_flag_is_a_command_line_error()
    {
        await using var sidecar = SidecarProcess.Start(["--app-id", "x", "--dapr-htp-port", "3500"]);
        Assert.Equal(2, await sidecar.WaitForExitAsync());
        Assert.Contains("error VX2001", sidecar.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_is_one_clear_message()
    {
        using var resources = new ResourcesFolder(Yaml.InMemoryPubSub());
        using var blocker = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((System.Net.IPEndPoint)blocker.LocalEndpoint).Port;
        await using var sidecar = SidecarProcess.Start(["--app-id", "x", "--dapr-http-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--resources-path", resources.Path]);
        Assert.Equal(1, await sidecar.WaitForExitAsync());
        Assert.Contains("error VX2002: a Dapr HTTP port is already in use", sidecar.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", sidecar.Output, StringComparison.Ordinal);
    }
}
