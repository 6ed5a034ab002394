using System.Runtime.InteropServices;

namespace LlmPlan.Optimization.Cbc.Interop;

/// <summary>CBC's C interface (<c>Cbc_C_Interface.h</c> of CBC 2.10); <c>CoinBigIndex</c> is <c>int</c> in Debian's build.</summary>
internal static partial class Interop
{
    /// <summary>The imports of <see cref="Libraries.Cbc"/>.</summary>
    internal static partial class Cbc
    {
        /// <summary><c>Cbc_setObjSense</c>: minimise.</summary>
        internal const double Minimize = 1.0;

        /// <summary><c>Cbc_setObjSense</c>: maximise.</summary>
        internal const double Maximize = -1.0;

        /// <summary>CBC's infinity (<c>COIN_DBL_MAX</c>).</summary>
        internal const double Infinity = double.MaxValue;

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_getVersion")]
        internal static partial nint GetVersion();

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_newModel")]
        internal static partial SafeCbcModelHandle NewModel();

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_deleteModel")]
        internal static partial void DeleteModel(nint model);

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_loadProblem")]
        internal static unsafe partial void LoadProblem(
            SafeCbcModelHandle model, int columns, int rows, int* start, int* index, double* value,
            double* columnLower, double* columnUpper, double* objective, double* rowLower, double* rowUpper);

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_setInteger")]
        internal static partial void SetInteger(SafeCbcModelHandle model, int column);

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_setObjSense")]
        internal static partial void SetObjSense(SafeCbcModelHandle model, double sense);

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_setLogLevel")]
        internal static partial void SetLogLevel(SafeCbcModelHandle model, int level);

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_setMaximumSeconds")]
        internal static partial void SetMaximumSeconds(SafeCbcModelHandle model, double seconds);

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_setAllowableFractionGap")]
        internal static partial void SetAllowableFractionGap(SafeCbcModelHandle model, double gap);

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_setParameter", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial void SetParameter(SafeCbcModelHandle model, string name, string value);

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_setMIPStartI")]
        internal static unsafe partial void SetMipStart(SafeCbcModelHandle model, int count, int* columns, double* values);

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_solve")]
        internal static partial int Solve(SafeCbcModelHandle model);

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_isProvenOptimal")]
        internal static partial int IsProvenOptimal(SafeCbcModelHandle model);

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_isProvenInfeasible")]
        internal static partial int IsProvenInfeasible(SafeCbcModelHandle model);

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_isInitialSolveProvenPrimalInfeasible")]
        internal static partial int IsInitialSolveProvenPrimalInfeasible(SafeCbcModelHandle model);

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_isContinuousUnbounded")]
        internal static partial int IsContinuousUnbounded(SafeCbcModelHandle model);

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_isSecondsLimitReached")]
        internal static partial int IsSecondsLimitReached(SafeCbcModelHandle model);

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_isAbandoned")]
        internal static partial int IsAbandoned(SafeCbcModelHandle model);

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_status")]
        internal static partial int Status(SafeCbcModelHandle model);

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_secondaryStatus")]
        internal static partial int SecondaryStatus(SafeCbcModelHandle model);

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_getObjValue")]
        internal static partial double GetObjValue(SafeCbcModelHandle model);

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_getBestPossibleObjValue")]
        internal static partial double GetBestPossibleObjValue(SafeCbcModelHandle model);

        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_getNodeCount")]
        internal static partial int GetNodeCount(SafeCbcModelHandle model);

        /// <summary><c>Cbc_getColSolution</c>: the last solution of the solver (the LP, or the incumbent after a search);
        /// owned by the model.</summary>
        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_getColSolution")]
        internal static partial nint GetColSolution(SafeCbcModelHandle model);

        /// <summary><c>Cbc_bestSolution</c>: the best integer solution found by the search, or null; owned by the model.</summary>
        [LibraryImport(Libraries.Cbc, EntryPoint = "Cbc_bestSolution")]
        internal static partial nint BestSolution(SafeCbcModelHandle model);
    }
}
