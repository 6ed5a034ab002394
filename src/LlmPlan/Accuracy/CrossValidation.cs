using LlmPlan.Catalog;

namespace LlmPlan.Accuracy;

/// <summary>What a cross-validation holds out in turn.</summary>
public enum HoldOut
{
    /// <summary>Each GPU: its constants come from the other GPUs of its generation (or the defaults), as for unseen hardware.</summary>
    Gpu,

    /// <summary>Each model: every GPU is fitted without that model's rows.</summary>
    Model,
}

/// <summary>The predictions of one held-out group with constants fitted without it.</summary>
/// <param name="HeldOut">The GPU or model id.</param>
/// <param name="Report">Its rows' predictions and errors.</param>
public sealed record CrossValidationFold(string HeldOut, ValidationReport Report);

/// <summary>Leave-one-group-out cross-validation of the calibration (docs/accuracy.md, "Cross-validation").</summary>
/// <param name="Kind">What was held out.</param>
/// <param name="Folds">One fold per group, in ordinal order of the id.</param>
/// <param name="Pooled">Every held-out prediction together, in file order.</param>
public sealed record CrossValidationResult(HoldOut Kind, IReadOnlyList<CrossValidationFold> Folds, ValidationReport Pooled)
{
    /// <summary>Runs the cross-validation.</summary>
    /// <param name="rows">The prepared measurements.</param>
    /// <param name="catalog">The catalog.</param>
    /// <param name="kind">What to hold out.</param>
    /// <param name="measurementName">The measurement file's name (for sources).</param>
    /// <returns>The folds and the pooled errors.</returns>
    /// <remarks>Fits are per GPU, so holding out a GPU leaves every other GPU's fit as it is: the held-out GPU gets the
    /// constants <see cref="CalibrationFit.Derive"/> gives it from the others. Holding out a model refits every GPU
    /// without that model's rows.</remarks>
    public static CrossValidationResult Run(IReadOnlyList<PreparedMeasurement> rows, HardwareCatalog catalog, HoldOut kind, string measurementName)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(catalog);
        Func<PreparedMeasurement, string> key = kind == HoldOut.Gpu ? r => r.Measurement.Gpu : r => r.Measurement.Model;
        var groups = rows.Select(key).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        IReadOnlyList<GpuFit>? all = kind == HoldOut.Gpu ? CalibrationFit.FitAll(rows, catalog, measurementName) : null;
        var predictions = new Dictionary<PreparedMeasurement, MeasurementPrediction>(ReferenceEqualityComparer.Instance);
        var folds = new List<CrossValidationFold>();
        foreach (string group in groups)
        {
            var heldOut = rows.Where(r => string.Equals(key(r), group, StringComparison.Ordinal)).ToList();
            IReadOnlyList<GpuFit> fits = all is not null
                ? [.. all.Select(f => string.Equals(f.Gpu.Id, group, StringComparison.OrdinalIgnoreCase) ? CalibrationFit.Derive(f.Gpu, [.. all.Where(o => o != f)], measurementName) : f)]
                : CalibrationFit.FitAll([.. rows.Where(r => !string.Equals(key(r), group, StringComparison.Ordinal))], catalog, measurementName);
            var fold = heldOut.Select(r => MeasurementPredictor.Predict(r, r.Gpu is { } g ? fits.First(f => f.Gpu.Id == g.Id).Calibration : null)).ToList();
            for (int i = 0; i < heldOut.Count; i++)
            {
                predictions[heldOut[i]] = fold[i];
            }

            folds.Add(new CrossValidationFold(group, ValidationReport.Of(fold)));
        }

        return new CrossValidationResult(kind, folds, ValidationReport.Of([.. rows.Select(r => predictions[r])]));
    }
}
