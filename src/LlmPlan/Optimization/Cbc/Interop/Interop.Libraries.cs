namespace LlmPlan.Optimization.Cbc.Interop;

/// <summary>The native libraries LlmPlan calls, by their names on Debian.</summary>
internal static partial class Interop
{
    /// <summary>Library names.</summary>
    internal static class Libraries
    {
        /// <summary>COIN-OR CBC's C interface, from the Debian package <c>coinor-libcbc3</c> (only the versioned name is
        /// installed without the -dev package).</summary>
        internal const string Cbc = "libCbcSolver.so.3";

        /// <summary>The Debian package that installs <see cref="Cbc"/>.</summary>
        internal const string CbcPackage = "coinor-libcbc3";

        /// <summary>The environment variable that points at another copy of the library (a full path).</summary>
        internal const string CbcPathVariable = "LLMPLAN_CBC_LIBRARY";
    }
}
