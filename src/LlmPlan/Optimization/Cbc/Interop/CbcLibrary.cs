using System.Reflection;
using System.Runtime.InteropServices;

namespace LlmPlan.Optimization.Cbc.Interop;

/// <summary>Finds and loads <see cref="Interop.Libraries.Cbc"/> once, with a clear error when it is missing.</summary>
internal static class CbcLibrary
{
    private static readonly Lazy<nint> Handle = new(() => Load(Environment.GetEnvironmentVariable(Interop.Libraries.CbcPathVariable) is { Length: > 0 } path ? path : Interop.Libraries.Cbc));
    private static readonly Lazy<string> LoadedVersion = new(ReadVersion);
    private static int _resolverSet;

    /// <summary>Gets the CBC version of the loaded library, e.g. <c>2.10.8</c>.</summary>
    /// <exception cref="SolverUnavailableException">The library cannot be loaded or is not CBC 2.10.</exception>
    public static string Version => LoadedVersion.Value;

    /// <summary>The message for a library that cannot be loaded.</summary>
    /// <param name="path">The name or path that was tried.</param>
    /// <returns>What is missing and how to install it.</returns>
    public static string MissingMessage(string path) =>
        $"the COIN-OR CBC solver library {path} could not be loaded. Install the Debian package {Interop.Libraries.CbcPackage} "
        + $"(sudo apt-get install {Interop.Libraries.CbcPackage}; ./llmplan does this on its first run), or set "
        + $"{Interop.Libraries.CbcPathVariable} to the full path of libCbcSolver.so.3.";

    /// <summary>Loads the library at <paramref name="path"/>.</summary>
    /// <param name="path">A library name or full path.</param>
    /// <returns>The native handle.</returns>
    /// <exception cref="SolverUnavailableException">It cannot be loaded.</exception>
    public static nint Load(string path) =>
        NativeLibrary.TryLoad(path, typeof(CbcLibrary).Assembly, DllImportSearchPath.SafeDirectories | DllImportSearchPath.System32, out nint handle)
            ? handle
            : throw new SolverUnavailableException(MissingMessage(path));

    /// <summary>Makes every import of <see cref="Interop.Libraries.Cbc"/> resolve to the loaded library, loading it now.</summary>
    /// <exception cref="SolverUnavailableException">It cannot be loaded or is not CBC 2.10.</exception>
    public static void EnsureLoaded()
    {
        if (Interlocked.Exchange(ref _resolverSet, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(CbcLibrary).Assembly, Resolve);
        }

        _ = LoadedVersion.Value;
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == Interop.Libraries.Cbc ? Handle.Value : nint.Zero;

    private static string ReadVersion()
    {
        _ = Handle.Value;
        string version = Marshal.PtrToStringUTF8(Interop.Cbc.GetVersion()) ?? string.Empty;

        // The ABI check: the signatures above are CBC 2.10's (int column starts, Cbc_loadProblem's argument order).
        if (!version.StartsWith("2.10", StringComparison.Ordinal))
        {
            throw new SolverUnavailableException($"the COIN-OR CBC library reports version '{version}', but LlmPlan is built against CBC 2.10 (Debian package {Interop.Libraries.CbcPackage}).");
        }

        return version;
    }
}
