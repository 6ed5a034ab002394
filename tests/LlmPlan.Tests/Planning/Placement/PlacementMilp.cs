using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.Optimization;
using LlmPlan.Optimization.Cbc;
using LlmPlan.Performance;
using LlmPlan.Planning.Placement;
using LlmPlan.Units;

namespace LlmPlan.Tests.Planning.Placement;

/// <summary>The least-$/h placement that reaches a throughput floor, found by one MILP per (stages p, running sequences N)
/// cell: the independent reference the exact search must match on pools too big for brute force.</summary>
/// <remarks>
/// <para>Cells as in the search: every stage holds at least N sequences and, when N is below the engine's cap, one holds
/// exactly N; the performance model then runs N sequences in m = min(p, N) micro-batches of b = ⌈N/m⌉. In a cell each
/// choice of a stage (position k, machine type and TP degree o, layers n) has a fixed decode time, prefill time and KV
/// capacity, and a link's transfer depends only on whether its two stages share a machine and on their types.</para>
/// <para>Variables: y[k,o,n] picks position k's choice (one per position, layers adding up to the model, only choices that
/// hold N sequences); x[k,o,j] puts it on machine j of o's type (the TP degrees on a machine fit its GPUs); open[j] marks a
/// machine used; s[k,j] = 1 when stages k − 1 and k are both on machine j. The cost is Σ open[j] × instance price for
/// types billed per instance plus Σ TP × GPU price × x for types billed per GPU. The cycle
/// (O − 1)·D + D' + max(N·P, ΣP) with D = max(m·X, ΣD) + overhead is increasing in every part, so the floor
/// cycle ≤ N(S + O) / rate is exact with parts bounded from below: X ≥ each stage's and each link's decode time,
/// P ≥ each prefill time, overhead ≥ each used type's step overhead o + o_s·N, and a link's time ≥ the intra-machine
/// transfer of a type where its stages share a machine of it, ≥ the transfer between types a and b where stage k − 1 is
/// on a, stage k on b, and they do not share a machine.</para>
/// <para>Each cell's MILP also asks for a cost below the best of the cells solved before it (so a cell that cannot beat it
/// is infeasible); the least cost over the cells is unchanged. Times are in milliseconds to keep the coefficients near 1.</para>
/// </remarks>
internal static class PlacementMilp
{
    private const double Milliseconds = 1e3;

    /// <summary>The MILP optimum.</summary>
    /// <param name="Cost">Its $/h.</param>
    /// <param name="Concurrency">The running sequences N of its cell.</param>
    /// <param name="Stages">Its stages on machines of the pool.</param>
    public sealed record Solution(double Cost, int Concurrency, IReadOnlyList<MachineStage> Stages);

    /// <summary>The least-$/h placement whose tokens/s (prompt plus generated) reach <paramref name="rate"/>, or null when
    /// none does. Of the limits only the most stages and the fewest layers per stage are modelled (the problem must set no
    /// other).</summary>
    /// <returns>The optimum or null, and the number of cell MILPs solved.</returns>
    /// <exception cref="InvalidOperationException">A cell's MILP ended neither proven optimal nor proven infeasible.</exception>
    public static (Solution? Optimum, int Solves) Solve(PlacementProblem problem, double rate, SolverOptions options)
    {
        var cells = new Cells(problem);
        Solution? best = null;
        int solves = 0;
        int maxStages = Math.Min(problem.Constraints.MaxStages, problem.Model.Layers / cells.MinLayers);
        for (int n = problem.ConcurrencyCap; n >= 1; n--)
        {
            for (int p = 1; p <= maxStages; p++)
            {
                best = cells.Solve(p, n, rate, best?.Cost, options) ?? best;
                solves += cells.LastSolved ? 1 : 0;
            }
        }

        return (best, solves);
    }

    /// <summary>Builds and solves the MILP of one cell.</summary>
    private sealed class Cells
    {
        private readonly PlacementProblem _problem;
        private readonly ModelArchitecture _model;
        private readonly IReadOnlyList<PoolEntry> _types;
        private readonly (int Type, int TensorParallel, Deployment OneLayer)[] _options;
        private readonly (int Type, int Ordinal)[] _machines;
        private readonly long _sequenceBlocks;

        public Cells(PlacementProblem problem)
        {
            _problem = problem;
            _model = problem.Model;
            _types = problem.Pool.Entries;
            MinLayers = Math.Max(1, problem.Constraints.MinLayersPerStage);
            var options = new List<(int, int, Deployment)>();
            var machines = new List<(int, int)>();
            for (int type = 0; type < _types.Count; type++)
            {
                CloudInstance instance = _types[type].Instance;
                foreach (int t in problem.TensorParallelDegrees.Distinct().Order())
                {
                    if (t <= instance.GpuCount && PerformanceModel.ConfigurationProblem(_model, t).Length == 0)
                    {
                        var oneLayer = new Deployment
                        {
                            Model = _model, Weights = problem.Weights, KvCache = problem.KvCache, StageLinks = [], CostPerHour = DollarsPerHour.Zero,
                            Stages = [new PipelineStage { Gpu = instance.Gpu, TensorParallel = t, FirstLayer = 0, LayerCount = 1, TensorParallelBandwidth = problem.Network.Intra(instance) }],
                        };
                        options.Add((type, t, oneLayer));
                    }
                }

                for (int k = 0; k < _types[type].Count; k++)
                {
                    machines.Add((type, k));
                }
            }

            _options = [.. options];
            _machines = [.. machines];
            int blockTokens = problem.Engine.KvBlockTokens;
            _sequenceBlocks = (problem.Workload.InputTokens + problem.Workload.OutputTokens + blockTokens - 1L) / blockTokens * blockTokens;
        }

        public int MinLayers { get; }

        /// <summary>Gets a value indicating whether the last <see cref="Solve"/> ran the solver (a cell without any
        /// admissible choice is infeasible without it).</summary>
        public bool LastSolved { get; private set; }

        /// <summary>The cell's optimum, or null when no placement of the cell reaches the rate below
        /// <paramref name="cutoff"/> $/h.</summary>
        public Solution? Solve(int p, int concurrency, double rate, double? cutoff, SolverOptions options)
        {
            LastSolved = false;
            int layers = _model.Layers;
            int input = _problem.Workload.InputTokens;
            int output = _problem.Workload.OutputTokens;
            int microBatches = Math.Min(p, concurrency);
            int batch = (int)Math.Ceiling(concurrency / (double)microBatches);
            double meanContext = input + (output / 2.0);
            bool needExact = concurrency < _problem.ConcurrencyCap;

            // The choices (option, layers) of each position that hold N sequences.
            var choices = new List<(int Option, int Layers, int Capacity)>[p];
            for (int k = 0; k < p; k++)
            {
                choices[k] = [];
                int maxLayers = layers - (MinLayers * (p - 1));
                for (int o = 0; o < _options.Length; o++)
                {
                    for (int n = MinLayers; n <= maxLayers; n++)
                    {
                        int capacity = Capacity(o, n, k == 0, k == p - 1);
                        if (capacity >= concurrency)
                        {
                            choices[k].Add((o, n, capacity));
                        }
                    }
                }

                if (choices[k].Count == 0)
                {
                    return null;
                }
            }

            if (needExact && !choices.Any(c => c.Exists(x => x.Capacity == concurrency)))
            {
                return null;
            }

            var model = new LinearModel(Invariant.Text($"placement p={p} N={concurrency}"));
            var y = new Variable[p][];
            var decode = new List<LinearTerm>[p];
            var prefill = new List<LinearTerm>[p];
            var onType = new List<LinearTerm>[p, _types.Count];
            var exact = new List<LinearTerm>();
            var layerSum = new List<LinearTerm>();
            for (int k = 0; k < p; k++)
            {
                bool last = k == p - 1;
                y[k] = new Variable[choices[k].Count];
                decode[k] = [];
                prefill[k] = [];
                for (int type = 0; type < _types.Count; type++)
                {
                    onType[k, type] = [];
                }

                for (int c = 0; c < choices[k].Count; c++)
                {
                    var (o, n, capacity) = choices[k][c];
                    Deployment oneLayer = _options[o].OneLayer;
                    Variable v = model.AddBinary(Invariant.Text($"y[{k},{o},{n}]"));
                    y[k][c] = v;
                    double d = (StageTimeModel.DecodeLayer(oneLayer, 0, batch, meanContext).Total.Value * n) + (last ? StageTimeModel.LmHead(oneLayer, 0, batch).Value : 0);
                    double f = (StageTimeModel.PrefillLayer(oneLayer, 0, 1.0, input).Total.Value * n) + (last ? StageTimeModel.LmHead(oneLayer, 0, 1.0).Value : 0);
                    decode[k].Add(d * Milliseconds * v);
                    prefill[k].Add(f * Milliseconds * v);
                    onType[k, _options[o].Type].Add(v.AsTerm());
                    layerSum.Add(n * v);
                    if (needExact && capacity == concurrency)
                    {
                        exact.Add(v.AsTerm());
                    }
                }

                model.AddEqual(Invariant.Text($"one choice at {k}"), y[k].Select(v => v.AsTerm()), 1);
            }

            model.AddEqual("layers", layerSum, layers);
            if (needExact)
            {
                model.AddGreaterOrEqual("a stage holds exactly N", exact, 1);
            }

            // Machines: x[k,o,j] for j of o's type; the choice's option is on exactly one machine of its type.
            var x = new Variable?[p, _options.Length, _machines.Length];
            var open = new Variable[_machines.Length];
            var cost = new List<LinearTerm>();
            for (int j = 0; j < _machines.Length; j++)
            {
                CloudInstance instance = _types[_machines[j].Type].Instance;
                open[j] = model.AddBinary(Invariant.Text($"open[{j}]"));
                if (!instance.BilledPerGpu)
                {
                    cost.Add(instance.PricePerInstance.Value * open[j]);
                }

                if (j > 0 && _machines[j - 1].Type == _machines[j].Type)
                {
                    // Machines of a type are interchangeable: open them in order.
                    model.AddGreaterOrEqual(Invariant.Text($"order {j}"), [open[j - 1].AsTerm(), -1 * open[j]], 0);
                }
            }

            var onMachine = new List<LinearTerm>[p, _machines.Length];
            var gpus = new List<LinearTerm>[_machines.Length];
            for (int j = 0; j < _machines.Length; j++)
            {
                gpus[j] = [];
            }

            for (int k = 0; k < p; k++)
            {
                for (int o = 0; o < _options.Length; o++)
                {
                    var picks = y[k].Where((_, c) => choices[k][c].Option == o).Select(v => v.AsTerm()).ToList();
                    if (picks.Count == 0)
                    {
                        continue;
                    }

                    var (type, t, _) = _options[o];
                    CloudInstance instance = _types[type].Instance;
                    var placed = new List<LinearTerm>();
                    for (int j = 0; j < _machines.Length; j++)
                    {
                        if (_machines[j].Type != type)
                        {
                            continue;
                        }

                        Variable v = model.AddBinary(Invariant.Text($"x[{k},{o},{j}]"));
                        x[k, o, j] = v;
                        placed.Add(v.AsTerm());
                        (onMachine[k, j] ??= []).Add(v.AsTerm());
                        gpus[j].Add(t * v);
                        model.AddGreaterOrEqual(Invariant.Text($"open {j} for {k}"), [open[j].AsTerm(), -1 * v], 0);
                        if (instance.BilledPerGpu)
                        {
                            cost.Add(instance.PricePerGpu.Value * t * v);
                        }
                    }

                    model.AddEqual(Invariant.Text($"place {k},{o}"), placed.Concat(picks.Select(Negated)), 0);
                }
            }

            for (int j = 0; j < _machines.Length; j++)
            {
                model.AddLessOrEqual(Invariant.Text($"GPUs of {j}"), gpus[j], _types[_machines[j].Type].Instance.GpuCount);
            }

            if (cutoff is { } most)
            {
                model.AddLessOrEqual("below the best so far", cost, most * (1 - 1e-9));
            }

            // Links: s[k,j] = stages k − 1 and k both on machine j (exact for binary placements).
            var linkDecode = new Variable[p];
            var linkPrefill = new Variable[p];
            for (int k = 1; k < p; k++)
            {
                linkDecode[k] = model.AddVariable(Invariant.Text($"linkDecode[{k}]"), 0, double.PositiveInfinity);
                linkPrefill[k] = model.AddVariable(Invariant.Text($"linkPrefill[{k}]"), 0, double.PositiveInfinity);
                var shared = new List<LinearTerm>[_types.Count];
                for (int type = 0; type < _types.Count; type++)
                {
                    shared[type] = [];
                }

                for (int j = 0; j < _machines.Length; j++)
                {
                    if (onMachine[k - 1, j] is not { } before || onMachine[k, j] is not { } after)
                    {
                        continue;
                    }

                    Variable s = model.AddVariable(Invariant.Text($"s[{k},{j}]"), 0, 1);
                    model.AddLessOrEqual(Invariant.Text($"s[{k},{j}] ≤ before"), before.Select(Negated).Append(s.AsTerm()), 0);
                    model.AddLessOrEqual(Invariant.Text($"s[{k},{j}] ≤ after"), after.Select(Negated).Append(s.AsTerm()), 0);
                    model.AddGreaterOrEqual(Invariant.Text($"s[{k},{j}] ≥ both"), before.Concat(after).Select(Negated).Append(s.AsTerm()), -1);
                    shared[_machines[j].Type].Add(s.AsTerm());
                }

                var allShared = shared.SelectMany(list => list).ToList();
                for (int a = 0; a < _types.Count; a++)
                {
                    CloudInstance from = _types[a].Instance;
                    if (shared[a].Count > 0)
                    {
                        BytesPerSecond intra = _problem.Network.Intra(from);
                        AddAtLeast(model, linkDecode[k], Transfer(intra, from, batch), shared[a], 0, Invariant.Text($"intra decode {k},{a}"));
                        AddAtLeast(model, linkPrefill[k], Transfer(intra, from, input), shared[a], 0, Invariant.Text($"intra prefill {k},{a}"));
                    }

                    for (int b = 0; b < _types.Count; b++)
                    {
                        if (onType[k - 1, a].Count == 0 || onType[k, b].Count == 0)
                        {
                            continue;
                        }

                        // ≥ transfer × (on a before + on b after − 1 − shared): 1 exactly when a → b crosses machines.
                        BytesPerSecond between = _problem.Network.Between(from, _types[b].Instance);
                        var pair = onType[k - 1, a].Concat(onType[k, b]).Concat(allShared.Select(Negated)).ToList();
                        AddAtLeast(model, linkDecode[k], Transfer(between, from, batch), pair, -1, Invariant.Text($"between decode {k},{a},{b}"));
                        AddAtLeast(model, linkPrefill[k], Transfer(between, from, input), pair, -1, Invariant.Text($"between prefill {k},{a},{b}"));
                    }
                }
            }

            // The cycle's parts, each bounded from below.
            Variable slowestDecode = model.AddVariable("X", 0, double.PositiveInfinity);
            Variable slowestPrefill = model.AddVariable("P", 0, double.PositiveInfinity);
            Variable overhead = model.AddVariable("overhead", 0, double.PositiveInfinity);
            Variable step = model.AddVariable("D", 0, double.PositiveInfinity);
            Variable prefillWork = model.AddVariable("prefill", 0, double.PositiveInfinity);
            var decodeSum = new List<LinearTerm>();
            var prefillSum = new List<LinearTerm>();
            for (int k = 0; k < p; k++)
            {
                model.AddGreaterOrEqual(Invariant.Text($"X ≥ stage {k}"), decode[k].Select(Negated).Append(slowestDecode.AsTerm()), 0);
                model.AddGreaterOrEqual(Invariant.Text($"P ≥ stage {k}"), prefill[k].Select(Negated).Append(slowestPrefill.AsTerm()), 0);
                decodeSum.AddRange(decode[k]);
                prefillSum.AddRange(prefill[k]);
                if (k > 0)
                {
                    model.AddGreaterOrEqual(Invariant.Text($"X ≥ link {k}"), [slowestDecode.AsTerm(), -1 * linkDecode[k]], 0);
                    model.AddGreaterOrEqual(Invariant.Text($"P ≥ link {k}"), [slowestPrefill.AsTerm(), -1 * linkPrefill[k]], 0);
                    decodeSum.Add(linkDecode[k].AsTerm());
                    prefillSum.Add(linkPrefill[k].AsTerm());
                }

                for (int type = 0; type < _types.Count; type++)
                {
                    if (onType[k, type].Count > 0)
                    {
                        double stepOverhead = _types[type].Instance.Gpu.Calibration.Overhead(concurrency).Value * Milliseconds;
                        model.AddGreaterOrEqual(Invariant.Text($"overhead ≥ {k},{type}"), onType[k, type].Select(term => -stepOverhead * term.Variable).Append(overhead.AsTerm()), 0);
                    }
                }
            }

            model.AddGreaterOrEqual("D ≥ m·X + overhead", [step.AsTerm(), -microBatches * slowestDecode, -1 * overhead], 0);
            model.AddGreaterOrEqual("D ≥ ΣD + overhead", decodeSum.Select(Negated).Append(step.AsTerm()).Append(-1 * overhead), 0);
            model.AddGreaterOrEqual("prefill ≥ N·P", [prefillWork.AsTerm(), -concurrency * slowestPrefill], 0);
            model.AddGreaterOrEqual("prefill ≥ ΣP", prefillSum.Select(Negated).Append(prefillWork.AsTerm()), 0);

            // (O − 1)·D + D' + prefill ≤ N(S + O) / rate, with D' = D when others run, else the overhead.
            double longest = concurrency * (double)(input + output) / rate * Milliseconds;
            LinearTerm share = concurrency > 1 ? step.AsTerm() : overhead.AsTerm();
            model.AddLessOrEqual("the rate", [(output - 1) * step, share, prefillWork.AsTerm()], longest);

            var objective = model.AddVariable("cost", 0, double.PositiveInfinity, objective: 1);
            model.AddEqual("cost", cost.Append(-1 * objective), 0);

            LastSolved = true;
            SolverResult result = CbcSolver.Instance.Solve(model, options);
            if (result.Status == SolverStatus.Infeasible)
            {
                return null;
            }

            if (result.Status != SolverStatus.Optimal)
            {
                throw new InvalidOperationException(Invariant.Text($"The MILP of cell p = {p}, N = {concurrency} ended {result.Status} (gap {result.RelativeGap}): {result.Message}."));
            }

            var stages = new List<MachineStage>();
            int first = 0;
            for (int k = 0; k < p; k++)
            {
                int c = Enumerable.Range(0, y[k].Length).Single(i => result.Value(y[k][i]) > 0.5);
                var (o, n, _) = choices[k][c];
                int j = Enumerable.Range(0, _machines.Length).Single(i => x[k, o, i] is { } v && result.Value(v) > 0.5);
                stages.Add(new MachineStage(_types[_options[o].Type].Instance, _machines[j].Ordinal, _options[o].TensorParallel, first, n));
                first += n;
            }

            return new Solution(result.Value(objective), concurrency, stages);

            double Transfer(BytesPerSecond link, CloudInstance sender, double tokens) =>
                StageTimeModel.StageTransfer(_model, link, sender.Gpu, tokens).Value * Milliseconds;
        }

        private static LinearTerm Negated(LinearTerm term) => term with { Coefficient = -term.Coefficient };

        /// <summary>Adds <c>time ≥ coefficient × (Σ terms + constant)</c>.</summary>
        private static void AddAtLeast(LinearModel model, Variable time, double coefficient, IEnumerable<LinearTerm> terms, double constant, string name) =>
            model.AddGreaterOrEqual(name, terms.Select(term => term with { Coefficient = -coefficient * term.Coefficient }).Append(time.AsTerm()), coefficient * constant);

        /// <summary>The sequences of full length whose KV cache fits on a GPU of option o holding n layers, as
        /// <see cref="PerformanceModel.Evaluate"/> counts them.</summary>
        private int Capacity(int o, int n, bool first, bool last)
        {
            var (type, t, _) = _options[o];
            GpuSpec gpu = _types[type].Instance.Gpu;
            Bytes usable = gpu.Memory * _problem.Engine.GpuMemoryUtilization;
            Bytes weights = MemoryModel.WeightsPerGpu(_model, _problem.Weights, t, n, first, last);
            Bytes activations = MemoryModel.ActivationsPerGpu(_model, t, last, _problem.Engine);
            Bytes perSequence = MemoryModel.KvBytesPerTokenPerLayer(_model, _problem.KvCache, t) * n * _sequenceBlocks;
            return weights + activations > usable ? 0 : PerformanceModel.SequencesThatFit(usable - weights - activations, perSequence);
        }
    }
}
