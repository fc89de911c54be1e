using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Veltrix.Testing;

namespace Veltrix.Sagas.Tests;

/// <summary>
/// The management API over real HTTP, on a service built like every Veltrix service (service defaults, operator token)
/// with the engine's worker running on real time and an in-memory store.
/// </summary>
public sealed class SagaApiTests : IAsyncLifetime
{
    private const string Token = "operator-secret";
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private readonly Downstream _downstream = new();

    public async ValueTask InitializeAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["VELTRIX_OPERATOR_TOKEN"] = Token });
        builder.Logging.ClearProviders();
        builder.AddServiceDefaults();
        builder.Services.AddSingleton(_downstream);
        builder.Services.AddSingleton<ISagaStore>(new InMemorySagaStore());
        builder.Services.AddSagas(o => o.SweepInterval = TimeSpan.FromMilliseconds(50))
            .Add(TestSagas.Linear("order", ["reserve", "charge"]))
            .Add(TestSagas.Linear("approved-order", ["reserve", "ship"], approval: (0, TimeSpan.FromHours(1))));
        _app = builder.Build();
        _app.MapDefaultEndpoints();
        _app.MapSagaApi();
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<JsonElement> StatusAsync(string id) => await _http.GetFromJsonAsync<JsonElement>($"/sagas/{id}");

    private async Task UntilStatusAsync(string id, string status) =>
        await Eventually.UntilAsync(async () => (await StatusAsync(id)).GetProperty("runtimeStatus").GetString() == status, $"{id} to be {status}");

    private static async Task<string> CodeAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;
    }

    [Fact]
    public async Task Without_the_operator_token_every_saga_endpoint_is_refused()
    {
        using var anonymous = new HttpClient { BaseAddress = _http.BaseAddress };
        var missing = await anonymous.GetAsync("/sagas");
        Assert.Equal("VX3008", await CodeAsync(missing, HttpStatusCode.Unauthorized));
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "guess");
        Assert.Equal("VX3008", await CodeAsync(await anonymous.PostAsync("/sagas/order/start?instanceID=x", Json("""{"orderId":"x"}""")), HttpStatusCode.Forbidden));
        Assert.Equal(0, _downstream.Executions("reserve"));
    }

    [Fact]
    public async Task Start_is_idempotent_by_instance_id_and_the_status_shows_input_output_and_steps()
    {
        var started = await _http.PostAsync("/sagas/order/start?instanceID=o1", Json("""{"orderId":"o1"}"""));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal("o1", (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instanceID").GetString());
        var again = await _http.PostAsync("/sagas/order/start?instanceID=o1", Json("""{"orderId":"o1"}"""));
        Assert.False((await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created").GetBoolean());
        Assert.Equal(SagaErrorCodes.InstanceExists, await CodeAsync(await _http.PostAsync("/sagas/order/start?instanceID=o1", Json("""{"orderId":"other"}""")), HttpStatusCode.Conflict));

        await UntilStatusAsync("o1", "COMPLETED");
        var status = await StatusAsync("o1");
        Assert.Equal("order", status.GetProperty("workflowName").GetString());
        Assert.Equal("o1", status.GetProperty("input").GetProperty("orderId").GetString());
        Assert.Equal(["reserve", "charge"], status.GetProperty("output").GetProperty("done").EnumerateArray().Select(e => e.GetString()));
        Assert.All(status.GetProperty("steps").EnumerateArray(), s => Assert.Equal("Succeeded", s.GetProperty("state").GetString()));
        Assert.Equal(1, _downstream.Executions("charge"));

        Assert.Equal(SagaErrorCodes.UnknownSaga, await CodeAsync(await _http.PostAsync("/sagas/nope/start", Json("{}")), HttpStatusCode.NotFound));
        Assert.Equal(SagaErrorCodes.InvalidInstanceId, await CodeAsync(await _http.PostAsync("/sagas/order/start?instanceID=a.b", Json("""{"orderId":"x"}""")), HttpStatusCode.BadRequest));
        Assert.Equal(SagaErrorCodes.InvalidInput, await CodeAsync(await _http.PostAsync("/sagas/order/start", Json("not json")), HttpStatusCode.BadRequest));
        Assert.Equal(SagaErrorCodes.InstanceNotFound, await CodeAsync(await _http.GetAsync("/sagas/missing"), HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task Raise_event_pause_resume_terminate_and_purge_work_like_daprs_workflow_api()
    {
        await _http.PostAsync("/sagas/approved-order/start?instanceID=a1", Json("""{"orderId":"a1"}"""));
        await UntilStatusAsync("a1", "RUNNING");
        Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync("/sagas/a1/pause", null)).StatusCode);
        await UntilStatusAsync("a1", "SUSPENDED");
        var raised = await _http.PostAsync("/sagas/a1/raiseEvent/Approved?eventId=e1", Json("""{"by":"ann","approved":true}"""));
        Assert.Equal("Accepted", (await raised.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("result").GetString());
        Assert.Equal(1, (await StatusAsync("a1")).GetProperty("pendingEvents").GetInt32()); // buffered while suspended
        Assert.Equal(SagaErrorCodes.InvalidState, await CodeAsync(await _http.PostAsync("/sagas/a1/purge", null), HttpStatusCode.Conflict));
        Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync("/sagas/a1/resume", null)).StatusCode);
        await UntilStatusAsync("a1", "COMPLETED");
        var late = await _http.PostAsync("/sagas/a1/raiseEvent/Approved", Json("""{"by":"bob","approved":true}"""));
        Assert.Equal("Ignored", (await late.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("result").GetString());

        await _http.PostAsync("/sagas/approved-order/start?instanceID=a2", Json("""{"orderId":"a2"}"""));
        await UntilStatusAsync("a2", "RUNNING");
        Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync("/sagas/a2/terminate?reason=test", null)).StatusCode);
        var terminated = await StatusAsync("a2");
        Assert.Equal("TERMINATED", terminated.GetProperty("runtimeStatus").GetString());
        Assert.Equal("test", terminated.GetProperty("terminateReason").GetString());
        Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync("/sagas/a2/purge", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync("/sagas/a2/purge", null)).StatusCode);
        Assert.Equal(SagaErrorCodes.InstanceNotFound, await CodeAsync(await _http.GetAsync("/sagas/a2"), HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task Listing_filters_by_status_and_name_and_metrics_count_the_steps()
    {
        await _http.PostAsync("/sagas/order/start?instanceID=l1", Json("""{"orderId":"l1"}"""));
        await _http.PostAsync("/sagas/approved-order/start?instanceID=l2", Json("""{"orderId":"l2"}"""));
        await UntilStatusAsync("l1", "COMPLETED");
        await UntilStatusAsync("l2", "RUNNING");
        var completed = await _http.GetFromJsonAsync<JsonElement>("/sagas?status=COMPLETED&name=order");
        Assert.Contains("l1", completed.GetProperty("instances").EnumerateArray().Select(i => i.GetProperty("instanceID").GetString()));
        Assert.DoesNotContain("l2", completed.GetProperty("instances").EnumerateArray().Select(i => i.GetProperty("instanceID").GetString()));
        var running = await _http.GetFromJsonAsync<JsonElement>("/sagas?status=running");
        Assert.Equal(["l2"], running.GetProperty("instances").EnumerateArray().Select(i => i.GetProperty("instanceID").GetString()));
        Assert.Equal(SagaErrorCodes.InvalidQuery, await CodeAsync(await _http.GetAsync("/sagas?status=DONE"), HttpStatusCode.BadRequest));

        var metrics = await _http.GetStringAsync("/metrics");
        Assert.Contains("veltrix_saga_step_attempts_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("veltrix_saga_instances_finished_total{", metrics, StringComparison.Ordinal);
    }
}
