using System.Diagnostics;
using System.Reflection;
using Dapr.AspNetCore;
using Microsoft.AspNetCore.Http;

namespace Veltrix.Events.Subscribing;

/// <summary>One event as a handler sees it: the CloudEvent id (stable across redeliveries: deduplicate on it) and its data.</summary>
/// <param name="EntryId">The bulk entry id (the CloudEvent id for a single delivery).</param>
/// <param name="Configuration">The configuration (<c>veltrixconfig</c>) and <paramref name="Version"/> (<c>veltrixversion</c>) that routed it, if stamped.</param>
public sealed record IncomingEvent<TData>(string EntryId, string Id, TData Data, string? Configuration = null, string? Version = null)
{
    /// <summary>
    /// The event's span context: its own process span, in the trace of the request that published it (default when the
    /// event carried no trace). Pass it as <c>OutgoingEvent.Trace</c> to what handling this event publishes, so those
    /// events continue this event's trace even when the handler publishes for a whole batch in one call.
    /// </summary>
    public ActivityContext Trace { get; init; }
}

/// <summary>The handlers a service has, by event type; which topics and routes they serve comes from the configuration.</summary>
public sealed class EventHandlers
{
    internal Dictionary<string, EventHandlerRegistration> ByType { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Handles <paramref name="type"/> with one shape whatever the delivery: <paramref name="handler"/> takes an
    /// <c>IReadOnlyList&lt;IncomingEvent&lt;TData&gt;&gt;</c> (a bulk delivery's readable entries, or the one event of a
    /// single delivery), any services from DI, <c>HttpContext</c> and <c>CancellationToken</c>, and returns
    /// (a task of) one <see cref="BulkSubscribeAppResponseStatus"/> per event, in order. Entries whose data cannot be read
    /// are answered DROP without reaching it.
    /// </summary>
    public EventHandlers Handle<TData>(string type, Delegate handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (ByType.ContainsKey(type)) throw new ArgumentException($"event type '{type}' has a handler already", nameof(type));
        ByType[type] = new EventHandlerRegistration(type, typeof(TData), TypedHandler<TData>.Bind(type, handler));
        return this;
    }
}

internal sealed record EventHandlerRegistration(string Type, Type DataType, object Handler);

/// <summary>A service's handler bound once at start-up: how to fill each parameter and read the statuses back.</summary>
internal sealed class TypedHandler<TData>
{
    private readonly Delegate _handler;
    private readonly Func<HttpContext, IReadOnlyList<IncomingEvent<TData>>, object?>[] _arguments;
    private readonly Func<object?, ValueTask<IEnumerable<BulkSubscribeAppResponseStatus>?>> _result;

    private TypedHandler(Delegate handler, Func<HttpContext, IReadOnlyList<IncomingEvent<TData>>, object?>[] arguments,
        Func<object?, ValueTask<IEnumerable<BulkSubscribeAppResponseStatus>?>> result)
    {
        _handler = handler;
        _arguments = arguments;
        _result = result;
    }

    public static TypedHandler<TData> Bind(string type, Delegate handler)
    {
        var batchType = typeof(IReadOnlyList<IncomingEvent<TData>>);
        var parameters = handler.Method.GetParameters();
        if (parameters.Count(p => p.ParameterType == batchType) != 1)
            throw new ArgumentException($"the handler of '{type}' must take exactly one IReadOnlyList<IncomingEvent<{typeof(TData).Name}>>", nameof(handler));
        var arguments = parameters.Select<ParameterInfo, Func<HttpContext, IReadOnlyList<IncomingEvent<TData>>, object?>>(p =>
        {
            var t = p.ParameterType;
            if (t == batchType) return (_, batch) => batch;
            if (t == typeof(CancellationToken)) return (context, _) => context.RequestAborted;
            if (t == typeof(HttpContext)) return (context, _) => context;
            return (context, _) => context.RequestServices.GetService(t)
                ?? throw new InvalidOperationException($"the handler of '{type}' needs {t.Name}, which is not registered");
        }).ToArray();
        return new TypedHandler<TData>(handler, arguments, ResultReader(type, handler.Method.ReturnType));
    }

    /// <summary>Statuses, Task&lt;statuses&gt; or ValueTask&lt;statuses&gt;, where statuses is any sequence of BulkSubscribeAppResponseStatus.</summary>
    private static Func<object?, ValueTask<IEnumerable<BulkSubscribeAppResponseStatus>?>> ResultReader(string type, Type returnType)
    {
        if (typeof(IEnumerable<BulkSubscribeAppResponseStatus>).IsAssignableFrom(returnType))
            return value => ValueTask.FromResult(value as IEnumerable<BulkSubscribeAppResponseStatus>);
        if (returnType.IsGenericType && typeof(IEnumerable<BulkSubscribeAppResponseStatus>).IsAssignableFrom(returnType.GetGenericArguments()[0]))
        {
            var definition = returnType.GetGenericTypeDefinition();
            if (definition == typeof(Task<>))
            {
                var result = returnType.GetProperty(nameof(Task<int>.Result))!;
                return async value =>
                {
                    var task = (Task)value!;
                    await task;
                    return result.GetValue(task) as IEnumerable<BulkSubscribeAppResponseStatus>;
                };
            }
            if (definition == typeof(ValueTask<>))
            {
                var asTask = returnType.GetMethod(nameof(ValueTask<int>.AsTask))!;
                var result = typeof(Task<>).MakeGenericType(returnType.GetGenericArguments()[0]).GetProperty(nameof(Task<int>.Result))!;
                return async value =>
                {
                    var task = (Task)asTask.Invoke(value, null)!;
                    await task;
                    return result.GetValue(task) as IEnumerable<BulkSubscribeAppResponseStatus>;
                };
            }
        }
        throw new ArgumentException($"the handler of '{type}' must return one BulkSubscribeAppResponseStatus per event (a list, or a Task/ValueTask of one)", nameof(returnType));
    }

    public async ValueTask<BulkSubscribeAppResponseStatus[]> InvokeAsync(HttpContext context, IReadOnlyList<IncomingEvent<TData>> batch)
    {
        var args = new object?[_arguments.Length];
        for (var i = 0; i < args.Length; i++) args[i] = _arguments[i](context, batch);
        object? returned;
        try
        {
            returned = _handler.DynamicInvoke(args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
        var statuses = (await _result(returned))?.ToArray() ?? [];
        if (statuses.Length != batch.Count)
            throw new InvalidOperationException($"the handler answered {statuses.Length} statuses for {batch.Count} events; it must answer one per event, in order");
        return statuses;
    }
}
