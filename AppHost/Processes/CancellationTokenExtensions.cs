namespace Veltrix.AppHost.Processes;

internal static class CancellationTokenExtensions
{
    public static Task WhenCancelled(this CancellationToken token)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => tcs.TrySetResult());
        return tcs.Task;
    }

    /// <summary>Waits; true when the token was cancelled meanwhile.</summary>
    public static async Task<bool> DelayAsync(this CancellationToken token, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, token);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }
}
