namespace LlmPlan.Planning.Fleet;

/// <summary>An exact search for the fleet problem of <see cref="FleetPlanner"/> (docs/fleet.md §11): the unit counts of
/// every option are tried in order of cost, and the first counts whose units can carry every bucket's slices are the
/// proven optimum.</summary>
/// <remarks>
/// For fixed counts y, slices fit when each bucket's F slices can be split over the options that serve it with every
/// option's load at most u·y(g). Counts are ruled out by necessary conditions: for a weight vector π ≥ 0,
/// Σ_b F·min_g π(g)·w(b,g) ≤ Σ_g π(g)·room(g), with w(b,g) the load of one slice. The weights are the prices (the LP
/// bound), the indicator of every set of options (the buckets only that set serves must fit its room), and weights
/// raised multiplicatively towards the overloaded options from 1/capacity (the Lagrangian dual of the split's LP). A
/// quick split (each bucket on its cheapest option under π, then slices moved off overloaded options) is tried next and
/// checked from scratch; failing that, a depth-first search over the buckets (largest load first), cut at every node
/// by the same conditions on the buckets still open, tries every split. Counts it rejects have no fitting split. It
/// gives up (null) past a node budget or when there are too many counts to try; the planner then solves the integer
/// program instead.
/// </remarks>
internal static class FleetSearch
{
    /// <summary>The name the plan reports when the search found the fleet.</summary>
    public const string Name = "exact fleet search";

    private const int MaxCandidates = 200_000;
    private const long NodeBudget = 5_000;
    private const int MaxSubsetOptions = 8;
    private const int AscentSteps = 60;
    private const int LongAscentSteps = 4000;
    private const int DeepAscent = 12;

    /// <summary>The outcome of a search that finished: the counts and slice split of an optimum, or none (infeasible).</summary>
    /// <param name="Counts">Units per option, or null when no counts within the quotas can carry the load.</param>
    /// <param name="Slices">Slices per (bucket, option), or null with <paramref name="Counts"/>.</param>
    internal sealed record Outcome(int[]? Counts, int[,]? Slices);

    /// <summary>Searches for the cheapest fleet.</summary>
    /// <param name="problem">A problem that passed the planner's checks (every bucket with requests has an option).</param>
    /// <returns>The outcome, or null when the search gave up.</returns>
    public static Outcome? Solve(FleetProblem problem)
    {
        int options = problem.Options.Count;
        int f = problem.SliceFactor;
        double u = problem.Utilization;
        var active = Enumerable.Range(0, problem.Buckets.Count).Where(b => problem.Buckets[b].Rate.Value > 0).ToArray();
        var weight = new double[active.Length, options];
        for (int k = 0; k < active.Length; k++)
        {
            for (int g = 0; g < options; g++)
            {
                double c = problem.Options[g].Capacity[active[k]].Value;
                weight[k, g] = c > 0 ? problem.Buckets[active[k]].Rate.Value / f / c : double.PositiveInfinity;
            }
        }

        if (Enumerable.Range(0, active.Length).Any(k => Enumerable.Range(0, options).All(g => !double.IsFinite(weight[k, g]))))
        {
            // A bucket with requests that no option serves.
            return new Outcome(null, null);
        }

        var low = new int[options];
        var high = new int[options];
        var serves = new bool[options];
        for (int g = 0; g < options; g++)
        {
            FleetOption o = problem.Options[g];
            double all = 0;
            for (int k = 0; k < active.Length; k++)
            {
                all += double.IsFinite(weight[k, g]) ? weight[k, g] * f : 0;
            }

            // More units than carry every bucket it can serve are never needed.
            low[g] = o.MinCount;
            serves[g] = Enumerable.Range(0, active.Length).All(k => double.IsFinite(weight[k, g]));
            high[g] = Math.Max(o.MinCount, (int)Math.Ceiling((all / u) - FleetPlanner.LoadRoundingTolerance));
            if (o.MaxCount is int quota)
            {
                // Alone, g carries everything only within its quota.
                serves[g] &= high[g] <= quota;
                high[g] = Math.Min(high[g], quota);
            }
        }

        var candidates = Candidates(problem, low, high, serves);
        if (candidates is null)
        {
            return null;
        }

        var search = new Packing(weight, f, u, problem.Options.Select(o => o.CostPerHour.Value).ToArray());
        foreach (int[] counts in candidates)
        {
            bool? fits = search.Fit(counts);
            if (fits is null)
            {
                return null;
            }

            if (fits.Value)
            {
                var slices = new int[problem.Buckets.Count, options];
                for (int k = 0; k < active.Length; k++)
                {
                    for (int g = 0; g < options; g++)
                    {
                        slices[active[k], g] = search.Split[k, g];
                    }
                }

                return new Outcome(counts, slices);
            }
        }

        return new Outcome(null, null);
    }

    /// <summary>Every count vector within the bounds that is no dearer than the cheapest single-option fleet (when there
    /// is one), cheapest first (ties in lexicographic order), or null when there are too many.</summary>
    private static List<int[]>? Candidates(FleetProblem problem, int[] low, int[] high, bool[] serves)
    {
        int options = problem.Options.Count;
        var price = problem.Options.Select(o => o.CostPerHour.Value).ToArray();
        double floor = Enumerable.Range(0, options).Sum(g => price[g] * low[g]);
        double bound = double.PositiveInfinity;
        for (int g = 0; g < options; g++)
        {
            // All load on g, every other option at its minimum, is a fleet when g serves every bucket within its quota.
            if (serves[g])
            {
                bound = Math.Min(bound, floor + (price[g] * (high[g] - low[g])));
            }
        }

        bound += double.IsFinite(bound) ? 1e-9 * Math.Max(1, Math.Abs(bound)) : 0;
        var list = new List<(double Cost, int[] Counts)>();
        var current = (int[])low.Clone();
        bool Walk(int g, double cost)
        {
            if (g == options)
            {
                list.Add((cost, (int[])current.Clone()));
                return list.Count <= MaxCandidates;
            }

            for (int n = low[g]; n <= high[g]; n++)
            {
                double next = cost + (price[g] * (n - low[g]));
                if (next > bound)
                {
                    break;
                }

                current[g] = n;
                if (!Walk(g + 1, next))
                {
                    return false;
                }
            }

            current[g] = low[g];
            return true;
        }

        if (!Walk(0, floor))
        {
            return null;
        }

        list.Sort((a, b) =>
        {
            int byCost = a.Cost.CompareTo(b.Cost);
            if (byCost != 0)
            {
                return byCost;
            }

            for (int g = 0; g < options; g++)
            {
                if (a.Counts[g] != b.Counts[g])
                {
                    return a.Counts[g].CompareTo(b.Counts[g]);
                }
            }

            return 0;
        });
        return [.. list.Select(x => x.Counts)];
    }

    /// <summary>The exact check that a count vector's units carry every bucket's slices.</summary>
    private sealed class Packing
    {
        private double[,] _weight = new double[0, 0];
        private readonly int _f;
        private readonly double _u;
        private readonly int _buckets;
        private readonly int _options;
        private readonly double[,] _base;
        private readonly double[] _key;
        private int[] _order = [];
        private readonly double[][] _fixedWeights;
        private double[][] _fixedSuffix = [];
        private readonly double[] _room;
        private readonly double[] _capacity;
        private readonly double[] _inverse;
        private readonly double[] _inverseSuffix;
        private long _nodes;

        public Packing(double[,] weight, int f, double u, double[] price)
        {
            _buckets = weight.GetLength(0);
            _options = weight.GetLength(1);
            _f = f;
            _u = u;

            _base = weight;
            _key = new double[_buckets];
            var fixedWeights = new List<double[]> { price };
            if (_options <= MaxSubsetOptions)
            {
                for (int set = 1; set < 1 << _options; set++)
                {
                    fixedWeights.Add([.. Enumerable.Range(0, _options).Select(g => (set >> g & 1) == 1 ? 1.0 : 0.0)]);
                }
            }
            else
            {
                fixedWeights.AddRange(Enumerable.Range(0, _options).Select(h => Enumerable.Range(0, _options).Select(g => g == h ? 1.0 : 0.0).ToArray()));
            }

            _fixedWeights = [.. fixedWeights];

            // Largest bucket first: its split decides the most.
            for (int k = 0; k < _buckets; k++)
            {
                _key[k] = Enumerable.Range(0, _options).Min(g => weight[k, g]);
            }

            Arrange();
            _room = new double[_options];
            _capacity = new double[_options];
            _inverse = new double[_options];
            _inverseSuffix = new double[_buckets + 1];
            Split = new int[_buckets, _options];
        }

        /// <summary>Gets the slices per (bucket in the problem's active order, option) of the last fit.</summary>
        public int[,] Split { get; private set; }

        /// <summary>Whether the counts carry every bucket, or null when the node budget ran out.</summary>
        public bool? Fit(int[] counts)
        {
            for (int g = 0; g < _options; g++)
            {
                _room[g] = (_u * counts[g]) + FleetPlanner.LoadRoundingTolerance;
                _capacity[g] = _room[g];
            }

            // The fixed weights first (cheap); the ascent's weights count for nothing until it sets them.
            Array.Clear(_inverse);
            Array.Clear(_inverseSuffix);
            if (!Bounded(0) || !Ascend())
            {
                return false;
            }

            var split = new int[_buckets, _options];
            if (Repair(split) && Fits(split))
            {
                Keep(split);
                return true;
            }

            // The split did not come easily: look harder for weights that rule the counts out before searching.
            if (!Ascend(0, LongAscentSteps))
            {
                return false;
            }

            Array.Clear(split);
            if (Repair(split) && Fits(split))
            {
                Keep(split);
                return true;
            }

            Array.Clear(split);
            bool? found = Place(0, split);
            if (found == true)
            {
                if (!Fits(split))
                {
                    throw new InvalidOperationException("The fleet search built a split that does not fit its counts.");
                }

                Keep(split);
            }

            return found;
        }

        /// <summary>Checks a split from scratch: every bucket's slices on options that serve it, every load within its
        /// room.</summary>
        private bool Fits(int[,] split)
        {
            var load = new double[_options];
            for (int i = 0; i < _buckets; i++)
            {
                int slices = 0;
                for (int g = 0; g < _options; g++)
                {
                    if (split[i, g] < 0 || (split[i, g] > 0 && !double.IsFinite(_weight[i, g])))
                    {
                        return false;
                    }

                    if (split[i, g] > 0)
                    {
                        slices += split[i, g];
                        load[g] += split[i, g] * _weight[i, g];
                    }
                }

                if (slices != _f)
                {
                    return false;
                }
            }

            return Enumerable.Range(0, _options).All(g => load[g] <= _capacity[g]);
        }

        private void Keep(int[,] split)
        {
            var original = new int[_buckets, _options];
            for (int i = 0; i < _buckets; i++)
            {
                for (int g = 0; g < _options; g++)
                {
                    original[_order[i], g] = split[i, g];
                }
            }

            Split = original;
        }

        /// <summary>A quick try before the search: every bucket on its cheapest option under π, then single slices moved
        /// off overloaded options to options with room, the move that costs least under π per unit of load relieved
        /// first.</summary>
        /// <returns>True when the split fits (left in <paramref name="split"/>); false says nothing.</returns>
        private bool Repair(int[,] split)
        {
            var load = new double[_options];
            for (int i = 0; i < _buckets; i++)
            {
                int best = -1;
                for (int g = 0; g < _options; g++)
                {
                    if (double.IsFinite(_weight[i, g]) && (best < 0 || _inverse[g] * _weight[i, g] < _inverse[best] * _weight[i, best]))
                    {
                        best = g;
                    }
                }

                split[i, best] = _f;
                load[best] += _f * _weight[i, best];
            }

            for (int move = 0; move < _buckets * _f * _options; move++)
            {
                int over = -1;
                double worst = 0;
                for (int g = 0; g < _options; g++)
                {
                    double excess = load[g] - _room[g];
                    if (excess > worst)
                    {
                        worst = excess;
                        over = g;
                    }
                }

                if (over < 0)
                {
                    return true;
                }

                int from = -1;
                int to = -1;
                double price = double.PositiveInfinity;
                for (int i = 0; i < _buckets; i++)
                {
                    if (split[i, over] == 0)
                    {
                        continue;
                    }

                    for (int h = 0; h < _options; h++)
                    {
                        if (h == over || !double.IsFinite(_weight[i, h]) || load[h] + _weight[i, h] > _room[h])
                        {
                            continue;
                        }

                        double cost = ((_inverse[h] * _weight[i, h]) - (_inverse[over] * _weight[i, over])) / _weight[i, over];
                        if (cost < price)
                        {
                            price = cost;
                            from = i;
                            to = h;
                        }
                    }
                }

                if (from < 0)
                {
                    return Descend(split, load);
                }

                split[from, over]--;
                split[from, to]++;
                load[over] -= _weight[from, over];
                load[to] += _weight[from, to];
            }

            return Descend(split, load);
        }

        /// <summary>Looks for weights π that prove the counts too few (the Lagrangian dual of the split's LP, raised by
        /// multiplicative steps towards the overloaded options), and keeps the last weights for the node checks.</summary>
        /// <returns>False when some π proves that the buckets cannot fit.</returns>
        private bool Ascend(int from = 0, int steps = AscentSteps)
        {
            var capacity = new double[_options];
            for (int g = 0; g < _options; g++)
            {
                capacity[g] = Math.Max(_room[g], 1e-6);
                _inverse[g] = 1 / capacity[g];
            }

            var load = new double[_options];
            for (int step = 0; step < steps; step++)
            {
                Array.Clear(load);
                double lower = 0;
                for (int i = from; i < _buckets; i++)
                {
                    int best = -1;
                    double least = double.PositiveInfinity;
                    for (int g = 0; g < _options; g++)
                    {
                        double v = _inverse[g] * _weight[i, g];
                        if (v < least)
                        {
                            least = v;
                            best = g;
                        }
                    }

                    lower += _f * least;
                    load[best] += _f * _weight[i, best];
                }

                double room = 0;
                for (int g = 0; g < _options; g++)
                {
                    room += _inverse[g] * _room[g];
                }

                if (lower > room * (1 + 1e-9))
                {
                    return false;
                }

                double rate = 1.0 / Math.Sqrt(step + 1);
                double total = 0;
                for (int g = 0; g < _options; g++)
                {
                    _inverse[g] *= Math.Exp(rate * Math.Clamp((load[g] / capacity[g]) - 1, -1, 1));
                    total += _inverse[g] * capacity[g];
                }

                for (int g = 0; g < _options; g++)
                {
                    // Kept above 0 so that 0·∞ (an option that cannot serve a bucket) never turns into NaN.
                    _inverse[g] = Math.Max(_inverse[g] / total, 1e-300);
                }
            }

            InverseSuffix();
            return true;
        }

        /// <summary>Orders the buckets by <see cref="_key"/>, largest first (ties in problem order), and recomputes the
        /// suffix sums of the fixed weights.</summary>
        private void Arrange()
        {
            _order = [.. Enumerable.Range(0, _buckets).OrderByDescending(k => _key[k]).ThenBy(k => k)];
            _weight = new double[_buckets, _options];
            for (int i = 0; i < _buckets; i++)
            {
                for (int g = 0; g < _options; g++)
                {
                    _weight[i, g] = _base[_order[i], g];
                }
            }

            _fixedSuffix = [.. _fixedWeights.Select(Suffix)];
        }

        private void InverseSuffix()
        {
            for (int i = _buckets - 1; i >= 0; i--)
            {
                double least = double.PositiveInfinity;
                for (int g = 0; g < _options; g++)
                {
                    least = Math.Min(least, _inverse[g] * _weight[i, g]);
                }

                _inverseSuffix[i] = _inverseSuffix[i + 1] + (_f * least);
            }
        }

        /// <summary>Lowers the total overload Σ_g max(0, load(g) − room(g)) by the best single-slice move, or when none
        /// helps, by the best exchange of one slice each between two buckets on two options, until nothing overloads.</summary>
        /// <returns>True when the split fits; false says nothing.</returns>
        private bool Descend(int[,] split, double[] load)
        {
            double Over(int g, double l) => Math.Max(0, l - _room[g]);
            for (int step = 0; step < _buckets * 2; step++)
            {
                double excess = 0;
                for (int g = 0; g < _options; g++)
                {
                    excess += Over(g, load[g]);
                }

                if (excess <= 0)
                {
                    return true;
                }

                // A single move first; when none helps, an exchange of a slice of bucket i on g → h with a slice of
                // bucket j on h → g.
                var move = BestMove(split, load, exchange: false);
                if (move.I < 0)
                {
                    move = BestMove(split, load, exchange: true);
                }

                if (move.I < 0)
                {
                    return false;
                }

                var (mi, mg, mh, mj) = move;
                split[mi, mg]--;
                split[mi, mh]++;
                load[mg] -= _weight[mi, mg];
                load[mh] += _weight[mi, mh];
                if (mj >= 0)
                {
                    split[mj, mh]--;
                    split[mj, mg]++;
                    load[mh] -= _weight[mj, mh];
                    load[mg] += _weight[mj, mg];
                }
            }

            return false;
        }

        /// <summary>The single-slice move (or, with <paramref name="exchange"/>, the exchange of two slices) that lowers
        /// the total overload the most, or I = −1 when none lowers it.</summary>
        private (int I, int G, int H, int J) BestMove(int[,] split, double[] load, bool exchange)
        {
            double Over(int g, double l) => Math.Max(0, l - _room[g]);
            double best = -1e-12;
            (int I, int G, int H, int J) move = (-1, -1, -1, -1);
            for (int i = 0; i < _buckets; i++)
            {
                for (int g = 0; g < _options; g++)
                {
                    if (split[i, g] == 0)
                    {
                        continue;
                    }

                    for (int h = 0; h < _options; h++)
                    {
                        if (h == g || !double.IsFinite(_weight[i, h]))
                        {
                            continue;
                        }

                        // j = −1 is the single move.
                        for (int j = exchange ? 0 : -1; j < (exchange ? _buckets : 0); j++)
                        {
                            if (j >= 0 && (j == i || split[j, h] == 0 || !double.IsFinite(_weight[j, g])))
                            {
                                continue;
                            }

                            double lg = load[g] - _weight[i, g] + (j >= 0 ? _weight[j, g] : 0);
                            double lh = load[h] + _weight[i, h] - (j >= 0 ? _weight[j, h] : 0);
                            double change = Over(g, lg) - Over(g, load[g]) + Over(h, lh) - Over(h, load[h]);
                            if (change < best)
                            {
                                best = change;
                                move = (i, g, h, j);
                            }
                        }
                    }
                }
            }

            return move;
        }

        private double[] Suffix(double[] pi)
        {
            var suffix = new double[_buckets + 1];
            for (int i = _buckets - 1; i >= 0; i--)
            {
                double least = double.PositiveInfinity;
                for (int g = 0; g < _options; g++)
                {
                    if (double.IsFinite(_weight[i, g]))
                    {
                        least = Math.Min(least, pi[g] * _weight[i, g]);
                    }
                }

                suffix[i] = suffix[i + 1] + (_f * least);
            }

            return suffix;
        }

        private bool Bounded(int i)
        {
            double slack = 1e-9;
            double inverseRoom = 0;
            for (int g = 0; g < _options; g++)
            {
                inverseRoom += _inverse[g] * _room[g];
            }

            if (_inverseSuffix[i] > inverseRoom + slack)
            {
                return false;
            }

            for (int w = 0; w < _fixedWeights.Length; w++)
            {
                double[] pi = _fixedWeights[w];
                double room = 0;
                for (int g = 0; g < _options; g++)
                {
                    room += pi[g] * _room[g];
                }

                if (_fixedSuffix[w][i] > room + (slack * Math.Max(1, room)))
                {
                    return false;
                }
            }

            return true;
        }

        private bool? Place(int i, int[,] split)
        {
            if (i == _buckets)
            {
                return true;
            }

            if (++_nodes > NodeBudget)
            {
                return null;
            }

            if (!Bounded(i))
            {
                return false;
            }

            if (i > 0 && i < DeepAscent)
            {
                var saved = (double[])_inverse.Clone();
                var savedSuffix = (double[])_inverseSuffix.Clone();
                bool open = Ascend(i, 30);
                if (!open)
                {
                    Array.Copy(saved, _inverse, _options);
                    Array.Copy(savedSuffix, _inverseSuffix, _buckets + 1);
                    return false;
                }

                bool? deeper = PlaceChoices(i, split);
                Array.Copy(saved, _inverse, _options);
                Array.Copy(savedSuffix, _inverseSuffix, _buckets + 1);
                return deeper;
            }

            return PlaceChoices(i, split);
        }

        private bool? PlaceChoices(int i, int[,] split)
        {
            // Options in order of the share of their room one slice takes, least first.
            var choices = Enumerable.Range(0, _options)
                .Where(g => double.IsFinite(_weight[i, g]) && _room[g] >= _weight[i, g])
                .OrderBy(g => _inverse[g] * _weight[i, g])
                .ThenBy(g => _weight[i, g] / _room[g])
                .ThenBy(g => g)
                .ToArray();
            return Spread(i, split, choices, 0, _f);
        }

        private bool? Spread(int i, int[,] split, int[] choices, int c, int left)
        {
            if (left == 0)
            {
                // The options not reached take none (an earlier try may have left a count there).
                for (int rest = c; rest < choices.Length; rest++)
                {
                    split[i, choices[rest]] = 0;
                }

                return Place(i + 1, split);
            }

            if (c == choices.Length)
            {
                return false;
            }

            int g = choices[c];
            int most = Math.Min(left, (int)Math.Floor(_room[g] / _weight[i, g]));
            if (c == choices.Length - 1 && most < left)
            {
                return false;
            }

            for (int n = most; n >= 0; n--)
            {
                _room[g] -= n * _weight[i, g];
                split[i, g] = n;
                bool? found = Spread(i, split, choices, c + 1, left - n);
                _room[g] += n * _weight[i, g];
                if (found != false)
                {
                    return found;
                }
            }

            split[i, g] = 0;
            return false;
        }
    }
}
