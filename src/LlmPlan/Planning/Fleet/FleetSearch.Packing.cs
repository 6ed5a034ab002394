namespace LlmPlan.Planning.Fleet;

internal static partial class FleetSearch
{
    /// <summary>The exact check that a count vector's units carry every bucket's slices.</summary>
    private sealed partial class Packing
    {
        private const double Slack = 1e-9;

        private readonly double[,] _weight;
        private readonly int _f;
        private readonly double _u;
        private readonly int _buckets;
        private readonly int _options;
        private readonly int[] _order;
        private readonly double[][] _fixedWeights;
        private readonly double[] _fixedNeed;

        /// <summary>Room left per option: the counts' capacity less what the buckets fixed by the branch and bound
        /// take.</summary>
        private readonly double[] _room;

        /// <summary>The counts' whole capacity per option.</summary>
        private readonly double[] _capacity;

        /// <summary>Which (bucket, option) pairs may still carry slices in the branch and bound: the options that serve
        /// the bucket, less those an ancestor's π proved empty.</summary>
        private readonly bool[,] _allowed;

        /// <summary>The weights π of the quick split (from the ascent).</summary>
        private readonly double[] _inverse;
        private long _nodes;

        public Packing(double[,] weight, int f, double u, double[] price)
        {
            _buckets = weight.GetLength(0);
            _options = weight.GetLength(1);
            _f = f;
            _u = u;
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

            // Largest bucket first (ties in problem order): the quick split and the branching look at them in this order.
            _order = [.. Enumerable.Range(0, _buckets).OrderByDescending(k => Enumerable.Range(0, _options).Min(g => weight[k, g])).ThenBy(k => k)];
            _weight = new double[_buckets, _options];
            for (int i = 0; i < _buckets; i++)
            {
                for (int g = 0; g < _options; g++)
                {
                    _weight[i, g] = weight[_order[i], g];
                }
            }

            _allowed = new bool[_buckets, _options];
            for (int i = 0; i < _buckets; i++)
            {
                for (int g = 0; g < _options; g++)
                {
                    _allowed[i, g] = double.IsFinite(_weight[i, g]);
                }
            }

            var all = Enumerable.Repeat(true, _buckets).ToArray();
            _fixedNeed = [.. _fixedWeights.Select(pi => Need(pi, all))];
            _room = new double[_options];
            _capacity = new double[_options];
            _inverse = new double[_options];
            Split = new int[_buckets, _options];
        }

        /// <summary>Gets the branch-and-bound nodes solved so far (over every count vector).</summary>
        public long Nodes => _nodes;

        /// <summary>Gets the slices per (bucket in the problem's active order, option) of the last fit.</summary>
        public int[,] Split { get; private set; }

        /// <summary>Whether the counts carry every bucket, or null when the node budget ran out.</summary>
        public bool? Fit(int[] counts)
        {
            for (int g = 0; g < _options; g++)
            {
                _capacity[g] = (_u * counts[g]) + FleetPlanner.LoadRoundingTolerance;
                _room[g] = _capacity[g];
            }

            var open = Enumerable.Repeat(true, _buckets).ToArray();
            if (Enumerable.Range(0, _fixedWeights.Length).Any(w => Excess(_fixedWeights[w], _fixedNeed[w]) > 0) || !Ascend())
            {
                return false;
            }

            var split = new int[_buckets, _options];
            if (Repair(split) && Fits(split))
            {
                Keep(split);
                return true;
            }

            // The split did not come easily: decide by branch and bound (it leaves the room as it found it).
            Array.Clear(split);
            return Branch(split, open, _buckets);
        }

        /// <summary>Σ_b F·min_g π(g)·w(b,g) over the open buckets.</summary>
        private double Need(double[] pi, bool[] open)
        {
            double need = 0;
            for (int i = 0; i < _buckets; i++)
            {
                if (open[i])
                {
                    need += _f * Least(pi, i);
                }
            }

            return need;
        }

        /// <summary>min_g π(g)·w(b,g) over the options allowed for bucket i.</summary>
        private double Least(double[] pi, int i)
        {
            double least = double.PositiveInfinity;
            for (int g = 0; g < _options; g++)
            {
                if (_allowed[i, g])
                {
                    least = Math.Min(least, pi[g] * _weight[i, g]);
                }
            }

            return least;
        }

        /// <summary>How far a need under π exceeds the room left under π (positive: the open buckets cannot fit), with
        /// a relative slack for rounding.</summary>
        private double Excess(double[] pi, double need)
        {
            double room = 0;
            for (int g = 0; g < _options; g++)
            {
                room += pi[g] * _room[g];
            }

            return need - (room + (Slack * Math.Max(1, room)));
        }

        /// <summary>Checks a split from scratch: every bucket's slices on options that serve it, every load within its
        /// capacity.</summary>
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

        /// <summary>Looks for weights π that prove the counts too few (the Lagrangian dual of the split's LP, raised by
        /// multiplicative steps towards the overloaded options), and keeps the last weights for the quick split.</summary>
        /// <returns>False when some π proves that the buckets cannot fit.</returns>
        private bool Ascend()
        {
            var capacity = new double[_options];
            for (int g = 0; g < _options; g++)
            {
                capacity[g] = Math.Max(_capacity[g], 1e-6);
                _inverse[g] = 1 / capacity[g];
            }

            var load = new double[_options];
            for (int step = 0; step < AscentSteps; step++)
            {
                Array.Clear(load);
                double lower = 0;
                for (int i = 0; i < _buckets; i++)
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
                    room += _inverse[g] * _capacity[g];
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

            return true;
        }
    }
}
