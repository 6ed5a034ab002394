using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.Performance;
using LlmPlan.Units;

namespace LlmPlan.Accuracy;

/// <summary>A measurement with the deployment it was measured on, built once from the catalog.</summary>
/// <param name="Measurement">The row.</param>
/// <param name="Deployment">The uniform TP×PP deployment on bare GPUs of the row's type, or null when it cannot be built.</param>
/// <param name="Engine">The engine profile of the row.</param>
/// <param name="Problem">Why the row cannot be predicted at all (unknown model or GPU, an impossible layout); empty otherwise.</param>
public sealed record PreparedMeasurement(Measurement Measurement, Deployment? Deployment, EngineProfile Engine, string Problem)
{
    /// <summary>Gets the GPU of the deployment, or null.</summary>
    public GpuSpec? Gpu => Deployment?.Stages[0].Gpu;

    /// <summary>Gets the benchmark harness assumed when the row's closed-loop TTFT is simulated and the row does not say
    /// what its benchmark sent (<see cref="Measurement.Requests"/>): requests per client, warm-up in the stream and
    /// measured (0 and 10 unless given).</summary>
    public ClosedLoopHarness Harness { get; init; } = ClosedLoopHarness.Default;
}

/// <summary>The prediction of one measurement, or why there is none.</summary>
/// <param name="Measurement">The row.</param>
/// <param name="Predicted">The predicted value in the metric's unit, or null when skipped.</param>
/// <param name="SkipReason">Why the row was not predicted; empty when predicted.</param>
public sealed record MeasurementPrediction(Measurement Measurement, double? Predicted, string SkipReason)
{
    /// <summary>Gets the absolute percentage error |predicted − measured| / measured as a fraction, or null when skipped.</summary>
    public double? Ape => Predicted is { } p ? Math.Abs(p - Measurement.Value) / Measurement.Value : null;
}

/// <summary>Predicts measurement rows with the performance model (docs/accuracy.md, "What each metric is").</summary>
/// <remarks>
/// Each row is a uniform TP×PP deployment on bare GPUs of its type (NVLink between GPUs that have it, PCIe otherwise),
/// with the weight precision of the row and the KV-cache precision and engine settings of its engine
/// (<see cref="EngineProfile"/>). Closed loops and <c>max</c> use <see cref="PerformanceModel"/>; <c>qps:R</c> uses
/// <see cref="OpenLoopModel"/> with R spread evenly over the replicas; the layer metrics use one layer of
/// <see cref="StageTimeModel"/>. Rates are of one replica times the replicas.
/// </remarks>
public static class MeasurementPredictor
{
    /// <summary>Builds the deployment of a row once.</summary>
    /// <param name="measurement">The row.</param>
    /// <param name="catalog">The catalog holding the model and GPU.</param>
    /// <param name="maxSequences">Sequence caps by engine family, or null for the defaults.</param>
    /// <param name="harness">The benchmark harness of closed-loop TTFT rows, or null for the default 0 and 10 per client.</param>
    /// <returns>The prepared row.</returns>
    public static PreparedMeasurement Prepare(Measurement measurement, HardwareCatalog catalog, IReadOnlyDictionary<string, int>? maxSequences = null, ClosedLoopHarness? harness = null) =>
        Build(measurement, catalog, maxSequences) with { Harness = harness ?? ClosedLoopHarness.Default };

    private static PreparedMeasurement Build(Measurement measurement, HardwareCatalog catalog, IReadOnlyDictionary<string, int>? maxSequences)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        ArgumentNullException.ThrowIfNull(catalog);
        EngineProfile engine = EngineProfile.For(measurement.Engine, maxSequences);
        ModelArchitecture? model = catalog.FindModel(measurement.Model);
        GpuSpec? gpu = catalog.FindGpu(measurement.Gpu);
        var problems = new List<string>();
        if (model is null)
        {
            problems.Add($"model '{measurement.Model}' is not in the catalog (llmplan catalog models; add it with --catalog DIR).");
        }

        if (gpu is null)
        {
            problems.Add($"GPU '{measurement.Gpu}' is not in the catalog (llmplan catalog gpus; add it with --catalog DIR).");
        }

        if (problems.Count > 0)
        {
            return new PreparedMeasurement(measurement, null, engine, string.Join(" ", problems));
        }

        var (deployment, problem) = UniformLayout.Build(model!, Hardware.ForGpu(gpu!, catalog, null), measurement.TensorParallel, measurement.PipelineParallel, measurement.Precision, engine.KvCacheFor(measurement.Precision));
        if (deployment is null)
        {
            return new PreparedMeasurement(measurement, null, engine, problem);
        }

        string config = PerformanceModel.ConfigurationProblem(deployment, 0);
        return new PreparedMeasurement(measurement, config.Length > 0 ? null : deployment, engine, config);
    }

    /// <summary>Predicts a prepared row.</summary>
    /// <param name="prepared">The row and its deployment.</param>
    /// <param name="calibration">Constants to use for the row's GPU instead of the catalog's, or null.</param>
    /// <returns>The prediction, or the reason it is skipped.</returns>
    public static MeasurementPrediction Predict(PreparedMeasurement prepared, GpuCalibration? calibration = null)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        Measurement m = prepared.Measurement;
        if (prepared.Deployment is not { } deployment)
        {
            return new MeasurementPrediction(m, null, prepared.Problem);
        }

        if (calibration is not null)
        {
            deployment = WithCalibration(deployment, calibration);
        }

        EngineSettings engine = prepared.Engine.Settings;
        if (m.Metric.IsLayer())
        {
            int batch = m.Load.Sequences;
            double input = m.InputTokens ?? 0;
            LayerTime layer = m.Metric == MeasuredMetric.LayerDecode
                ? StageTimeModel.DecodeLayer(deployment, 0, batch, input + ((m.OutputTokens ?? 0) / 2.0))
                : StageTimeModel.PrefillLayer(deployment, 0, batch, input);
            return new MeasurementPrediction(m, layer.Total.Milliseconds, string.Empty);
        }

        int s = m.InputTokens!.Value;
        int o = m.OutputTokens!.Value;
        if (m.Load.Kind == LoadKind.OpenLoop)
        {
            RequestsPerSecond? perReplica = m.Load.OfferedRate is { } r ? r / m.Replicas : null;
            OpenLoopEvaluation open = OpenLoopModel.Evaluate(deployment, s, o, perReplica, engine);
            if (!open.Feasible)
            {
                return new MeasurementPrediction(m, null, "infeasible: " + open.Reason);
            }

            double? value = m.Metric switch
            {
                MeasuredMetric.TimeToFirstToken => open.TimeToFirstToken?.Milliseconds,
                MeasuredMetric.TimePerOutputToken => open.TimePerOutputToken.Milliseconds,
                MeasuredMetric.OutputTokensPerSecond => open.OutputTokensPerSecond.Value * m.Replicas,
                MeasuredMetric.TotalTokensPerSecond => open.TotalTokensPerSecond.Value * m.Replicas,
                _ => open.Achieved.Value * m.Replicas,
            };
            return value is { } v
                ? new MeasurementPrediction(m, v, string.Empty)
                : new MeasurementPrediction(m, null, m.Load.OfferedRate is null
                    ? "TTFT of qps:inf depends on how many requests arrive at once, which the row does not say."
                    : Invariant.Text($"the offered {m.Load} reaches the predicted capacity of {open.Capacity.Value * m.Replicas:0.###} requests/s, so the queue and TTFT grow without bound."));
        }

        Evaluation e = PerformanceModel.Evaluate(deployment, new Workload(s, o, m.Load.Kind == LoadKind.Closed ? m.Load.Sequences : null), engine);
        if (!e.Feasible)
        {
            return new MeasurementPrediction(m, null, "infeasible: " + e.Reason);
        }

        if (SimulatesTimeToFirstToken(prepared))
        {
            ClosedLoopResult run = ClosedLoopSimulation.Run(deployment, s, o, m.Load.Sequences, e.MaxConcurrency, engine, m.Requests ?? prepared.Harness.For(m.Load.Sequences));
            return new MeasurementPrediction(m, run.TimeToFirstToken.Milliseconds, string.Empty);
        }

        double predicted = m.Metric switch
        {
            MeasuredMetric.TimeToFirstToken => e.TimeToFirstToken.Milliseconds,
            MeasuredMetric.TimePerOutputToken => e.TimePerOutputToken.Milliseconds,
            MeasuredMetric.OutputTokensPerSecond => e.OutputTokensPerSecond.Value * m.Replicas,
            MeasuredMetric.TotalTokensPerSecond => e.TotalTokensPerSecond.Value * m.Replicas,
            _ => e.RequestsPerSecond * m.Replicas,
        };
        return new MeasurementPrediction(m, predicted, string.Empty);
    }

    /// <summary>Whether the row's TTFT comes from <see cref="ClosedLoopSimulation"/>: a closed loop on one pipeline
    /// stage. Its clients start together and stay bunched, so the TTFT they measure includes waiting behind each other's
    /// prefill, which the steady-state TTFT of <see cref="PerformanceModel"/> leaves out.</summary>
    /// <param name="prepared">The row.</param>
    /// <returns>True for a closed-loop <c>ttft_ms</c> row whose deployment has one stage.</returns>
    public static bool SimulatesTimeToFirstToken(PreparedMeasurement prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        Measurement m = prepared.Measurement;
        return m.Metric == MeasuredMetric.TimeToFirstToken && m.Load.Kind == LoadKind.Closed && prepared.Deployment is { Stages.Count: 1 };
    }

    /// <summary>The deployment with every stage's GPU carrying <paramref name="calibration"/>.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="calibration">The constants.</param>
    /// <returns>The deployment with the constants swapped in.</returns>
    public static Deployment WithCalibration(Deployment deployment, GpuCalibration calibration)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return deployment with { Stages = [.. deployment.Stages.Select(st => st with { Gpu = st.Gpu with { Calibration = calibration } })] };
    }
}
