namespace Veltrix.AppHost.Run;

/// <summary>
/// The run's log folder holds every process's console output and run.json: readable by the user who runs AppHost only
/// (folder 0700, files 0600), since an app's log can carry players' data even though tokens never reach it.
/// </summary>
public static class PrivateFiles
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the folder 0700 when it does not exist; an existing folder keeps the mode its owner gave it.</summary>
    public static void CreateDirectory(string path)
    {
        if (Directory.Exists(path) || OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, OwnerReadWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Opens a file for writing (truncated or appended), created 0600 when new.</summary>
    public static FileStream OpenWrite(string path, bool append)
    {
        var options = new FileStreamOptions { Mode = append ? FileMode.Append : FileMode.Create, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerReadWrite;
        return new FileStream(path, options);
    }
}
