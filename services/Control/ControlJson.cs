using System.Text.Json;
using System.Text.Json.Serialization;
using Veltrix.Control.Apis;
using Veltrix.Control.Configurations;

namespace Veltrix.Control;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ApplyResult))]
[JsonSerializable(typeof(IReadOnlyList<ConfigurationSummary>))]
[JsonSerializable(typeof(ConfigurationSummary))]
[JsonSerializable(typeof(ActiveView))]
[JsonSerializable(typeof(VersionView))]
[JsonSerializable(typeof(DiffView))]
[JsonSerializable(typeof(ActivateRequest))]
[JsonSerializable(typeof(IReadOnlyList<DiagnosticView>))]
internal sealed partial class ControlJson : JsonSerializerContext;
