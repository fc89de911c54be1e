using Dapr.Workflow;

namespace Veltrix.Prizes.Claims;

/// <summary>
/// The undo list of a workflow: each completed step that changed something registers the activity that undoes it,
/// and <see cref="RunAsync"/> calls them newest first. It is plain workflow state, rebuilt identically on every replay
/// because the workflow registers the same steps in the same order; the calls themselves are ordinary activities,
/// so they are durable, retried by <paramref name="retry"/> and shown in the history like any step.
/// </summary>
public sealed class Compensations(WorkflowContext context, WorkflowTaskOptions retry)
{
    private readonly Stack<(string Activity, object Input)> _undo = new();

    /// <summary>Registers the activity that undoes the step just completed.</summary>
    public void Add(string activity, object input) => _undo.Push((activity, input));

    /// <summary>Undoes every registered step in reverse order; a compensation that fails for good fails the workflow.</summary>
    public async Task RunAsync()
    {
        while (_undo.TryPop(out var step)) await context.CallActivityAsync(step.Activity, step.Input, retry);
    }
}
