using Veltrix.Resources.Diagnostics;
using Veltrix.Resources.Yaml;
using YamlDotNet.RepresentationModel;

namespace Veltrix.Resources.Components;

/// <summary>Reads a `Component` document and checks it against the catalogue and what the runner supports.</summary>
public static class ComponentReader
{
    private static readonly string[] TopLevel = ["apiVersion", "kind", "metadata", "spec", "scopes", "auth"];
    private static readonly string[] SpecFields = ["type", "version", "metadata", "initTimeout", "ignoreErrors"];

    public static ComponentResource? Read(RawResource raw, ComponentSupport support, DiagnosticSink sink)
    {
        var file = raw.File;
        sink.UnknownFields(file, raw.Root, "a Component", TopLevel);
        var name = (raw.Root.Child("metadata") as YamlMappingNode)?.Scalar("name");
        if (string.IsNullOrWhiteSpace(name))
        {
            sink.Error(ErrorCodes.MissingField, raw.Root.ProblemAt(file, "metadata", "name"), "the component has no metadata.name (a non-empty text value)",
                "add 'metadata:\\n  name: <name>' — the name is what apps use in URLs (/v1.0/publish/<name>/…)");
            return null;
        }
        if (raw.Root.Child("spec") is not YamlMappingNode spec)
        {
            sink.Error(ErrorCodes.MissingField, raw.Root.ProblemAt(file, "spec"), $"component '{name}' has no spec (a mapping)", "add a spec with type, version and metadata");
            return null;
        }
        sink.UnknownFields(file, spec, $"the spec of component '{name}'", SpecFields);

        var typeNode = spec.Child("type");
        var type = typeNode.ScalarValue();
        if (string.IsNullOrWhiteSpace(type))
        {
            sink.Error(ErrorCodes.MissingField, spec.ProblemAt(file, "type"), $"component '{name}' has no spec.type (a non-empty text value)",
                $"add e.g. 'type: pubsub.in-memory'; {support.RunnerName} supports {string.Join(", ", support.SupportedTypes.Order())}");
            return null;
        }
        var typeAt = typeNode!.At(file);
        var info = ComponentCatalog.Find(type);
        if (!support.SupportedTypes.Contains(type))
        {
            if (info is not null)
                sink.Error(ErrorCodes.ComponentNeedsDaprd, typeAt, $"component '{name}' has type '{type}', which {support.RunnerName} cannot run",
                    $"run this component with daprd (dapr run / Kubernetes), or pick one {support.RunnerName} supports: {string.Join(", ", support.SupportedTypes.Order())}");
            else
                sink.Error(ErrorCodes.UnknownComponentType, typeAt, $"component '{name}' has unknown type '{type}'",
                    $"{DidYouMean.Hint(type, support.SupportedTypes.Concat(ComponentCatalog.All.Select(t => t.Type)).Distinct())}supported by {support.RunnerName}: {string.Join(", ", support.SupportedTypes.Order())}");
            return null;
        }

        var versionNode = spec.Child("version");
        var version = versionNode.ScalarValue();
        if (string.IsNullOrWhiteSpace(version))
        {
            sink.Error(ErrorCodes.MissingField, spec.ProblemAt(file, "version"), $"component '{name}' has no spec.version (a non-empty text value)",
                $"add 'version: {info!.Versions[0]}' (Dapr requires it)");
            return null;
        }
        if (!info!.Versions.Contains(version))
        {
            sink.Error(ErrorCodes.UnsupportedComponentVersion, file, versionNode!, $"component '{name}' of type '{type}' has version '{version}'",
                $"use one of: {string.Join(", ", info.Versions)}");
            return null;
        }

        var metadata = ReadMetadata(file, name, spec.Child("metadata"), info, support, sink);
        var scopes = raw.Root.Child("scopes").StringList();
        var store = (raw.Root.Child("auth") as YamlMappingNode)?.Child("secretStore");
        return metadata is null ? null : new ComponentResource(name, type, version, metadata, scopes, raw.Location)
        {
            NameLocation = ((YamlMappingNode)raw.Root.Child("metadata")!).Child("name")!.At(file),
            ScopesLocation = raw.Root.Child("scopes")?.At(file),
            ScopeLocations = raw.Root.Child("scopes").StringListLocations(file),
            SecretStore = store.ScalarValue() is { Length: > 0 } storeName ? (storeName, store!.At(file)) : null,
        };
    }

    private static List<MetadataEntry>? ReadMetadata(string file, string component, YamlNode? node, ComponentTypeInfo info, ComponentSupport support, DiagnosticSink sink)
    {
        var entries = new List<MetadataEntry>();
        if (node is null or YamlScalarNode { Value: null or "" }) return CheckRequired(file, component, null, entries, info, sink) ? entries : null;
        if (node is not YamlSequenceNode items)
        {
            sink.Error(ErrorCodes.MissingField, file, node, $"metadata of component '{component}' must be a list of name/value items",
                "write it as:\n    metadata:\n      - name: <key>\n        value: <value>");
            return null;
        }
        var ok = true;
        var known = info.Fields.Select(f => f.Name).ToList();
        foreach (var item in items.Children)
        {
            if (item is not YamlMappingNode map || map.Scalar("name") is not { Length: > 0 } key)
            {
                sink.Error(ErrorCodes.MissingField, file, item, $"a metadata item of component '{component}' has no name", "each item needs 'name:' and 'value:'");
                ok = false;
                continue;
            }
            var field = info.Fields.FirstOrDefault(f => f.Name.Equals(key, StringComparison.OrdinalIgnoreCase));
            if (field is null)
            {
                sink.Error(ErrorCodes.UnknownMetadataKey, file, map.Child("name")!, $"component '{component}' ({info.Type}) has no metadata key '{key}'",
                    $"{DidYouMean.Hint(key, known)}" + (known.Count == 0 ? $"{info.Type} takes no metadata: use 'metadata: []'" : $"known keys: {string.Join(", ", known)}"));
                ok = false;
                continue;
            }
            var valueNode = map.Child("value");
            string value;
            if (map.Child("envRef").ScalarValue() is { Length: > 0 } variable)
                value = Environment.GetEnvironmentVariable(variable) ?? "";
            else if (map.Child("secretKeyRef") is { } secretRef)
            {
                if (!support.ResolvesSecrets)
                {
                    sink.Error(ErrorCodes.InvalidMetadataValue, file, secretRef, $"metadata '{key}' of component '{component}' uses secretKeyRef",
                        "the dev sidecar has no secret stores; use 'envRef: <VARIABLE>' to read the value from the environment, or run under daprd");
                    ok = false;
                    continue;
                }
                if ((secretRef as YamlMappingNode)?.Scalar("name") is not { Length: > 0 } secretName)
                {
                    sink.Error(ErrorCodes.UnresolvedSecret, file, secretRef, $"the secretKeyRef of metadata '{key}' of component '{component}' names no secret",
                        "write 'secretKeyRef: {name: <secret>, key: <key>}'");
                    ok = false;
                    continue;
                }
                // The value is resolved by daprd when it loads the component; whether it can be is checked across resources.
                entries.Add(new MetadataEntry(field.Name, "", map.At(file))
                {
                    Secret = new SecretReference(secretName, ((YamlMappingNode)secretRef).Scalar("key"), ((YamlMappingNode)secretRef).Child("name")!.At(file)),
                });
                continue;
            }
            else
                value = valueNode.ScalarValue() ?? "";

            if (field.Check(value) is { } problem && !value.Contains('{', StringComparison.Ordinal))
            {
                sink.Error(ErrorCodes.InvalidMetadataValue, file, valueNode ?? map, $"metadata '{key}' of component '{component}': {problem}",
                    $"fix the value of '{key}'" + (field.Values is { } values ? $"; allowed: {string.Join(", ", values)}" : ""));
                ok = false;
                continue;
            }
            entries.Add(new MetadataEntry(field.Name, value, map.At(file)) { ValueLocation = (valueNode ?? map.Child("envRef"))?.At(file) });
        }
        return CheckRequired(file, component, node, entries, info, sink) && ok ? entries : null;
    }

    private static bool CheckRequired(string file, string component, YamlNode? node, List<MetadataEntry> entries, ComponentTypeInfo info, DiagnosticSink sink)
    {
        var at = node?.At(file) ?? SourceLocation.Start(file);
        var ok = true;
        foreach (var field in info.Fields.Where(f => f.Required && !entries.Any(e => e.Name == f.Name)))
        {
            sink.Error(ErrorCodes.MissingMetadataKey, at, $"component '{component}' ({info.Type}) needs metadata '{field.Name}'",
                $"add '- name: {field.Name}' with a value" + (field.Values is { } values ? $" (one of {string.Join(", ", values)})" : ""));
            ok = false;
        }
        foreach (var group in info.RequiredOneOf.Where(g => !entries.Any(e => g.Contains(e.Name))))
        {
            sink.Error(ErrorCodes.MissingMetadataKey, at, $"component '{component}' ({info.Type}) needs one of: {string.Join(", ", group)}",
                $"add '- name: {group[0]}' with a value");
            ok = false;
        }
        return ok;
    }
}
