using System.Runtime.InteropServices;

namespace LlmPlan.Optimization.Cbc.Interop;

/// <summary>Owns one <c>Cbc_Model</c>; releasing it calls <c>Cbc_deleteModel</c>.</summary>
internal sealed class SafeCbcModelHandle : SafeHandle
{
    /// <summary>Initializes a new instance (the marshaller sets the handle).</summary>
    public SafeCbcModelHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    /// <inheritdoc/>
    public override bool IsInvalid => handle == nint.Zero;

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        Interop.Cbc.DeleteModel(handle);
        return true;
    }
}
