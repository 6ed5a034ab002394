namespace LlmPlan.Planning.Fleet;

internal static partial class FleetSearch
{
    /// <summary>The heuristics that look for a fitting split: the quick split, the overload descent and the rounding of
    /// a node's LP shares. Whatever they return is checked from scratch before it counts.</summary>
    private sealed partial class Packing
    {
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
                    double excess = load[g] - _capacity[g];
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
                        if (h == over || !double.IsFinite(_weight[i, h]) || load[h] + _weight[i, h] > _capacity[h])
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
                    return Descend(split, load, _buckets * 2);
                }

                split[from, over]--;
                split[from, to]++;
                load[over] -= _weight[from, over];
                load[to] += _weight[from, to];
            }

            return Descend(split, load, _buckets * 2);
        }

        /// <summary>Lowers the total overload Σ_g max(0, load(g) − capacity(g)) by the best single-slice move, or when
        /// none helps, by the best chain of two (a slice moved off an overloaded option, and a slice of another bucket
        /// moved on from where the first went), until nothing overloads.</summary>
        /// <returns>True when the split fits; false says nothing.</returns>
        private bool Descend(int[,] split, double[] load, int steps)
        {
            for (int step = 0; step < steps; step++)
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

                // A single move first; when none helps, a chain of two.
                var move = BestMove(split, load, chain: false);
                if (move.I < 0)
                {
                    move = BestMove(split, load, chain: true);
                }

                if (move.I < 0)
                {
                    return false;
                }

                var (mi, mg, mh, mj, mk) = move;
                split[mi, mg]--;
                split[mi, mh]++;
                load[mg] -= _weight[mi, mg];
                load[mh] += _weight[mi, mh];
                if (mj >= 0)
                {
                    split[mj, mh]--;
                    split[mj, mk]++;
                    load[mh] -= _weight[mj, mh];
                    load[mk] += _weight[mj, mk];
                }
            }

            return false;
        }

        private double Over(int g, double load) => Math.Max(0, load - _capacity[g]);

        /// <summary>The single-slice move (or, with <paramref name="chain"/>, the chain of two: a slice of bucket i from g
        /// to h and a slice of bucket j from h on to k, k = g being an exchange) that lowers the total overload the most,
        /// or I = −1 when none lowers it.</summary>
        private (int I, int G, int H, int J, int K) BestMove(int[,] split, double[] load, bool chain)
        {
            double best = -1e-12;
            (int I, int G, int H, int J, int K) move = (-1, -1, -1, -1, -1);
            for (int i = 0; i < _buckets; i++)
            {
                for (int g = 0; g < _options; g++)
                {
                    // Only a move off an overloaded option can lower the overload (a chain is met from an overloaded
                    // end).
                    if (split[i, g] == 0 || load[g] <= _capacity[g])
                    {
                        continue;
                    }

                    for (int h = 0; h < _options; h++)
                    {
                        if (h == g || !double.IsFinite(_weight[i, h]))
                        {
                            continue;
                        }

                        double lg = load[g] - _weight[i, g];
                        double lh = load[h] + _weight[i, h];
                        double single = Over(g, lg) - Over(g, load[g]) + Over(h, lh) - Over(h, load[h]);
                        if (!chain)
                        {
                            if (single < best)
                            {
                                best = single;
                                move = (i, g, h, -1, -1);
                            }

                            continue;
                        }

                        for (int j = 0; j < _buckets; j++)
                        {
                            if (j == i || split[j, h] == 0)
                            {
                                continue;
                            }

                            for (int k = 0; k < _options; k++)
                            {
                                if (k == h || !double.IsFinite(_weight[j, k]))
                                {
                                    continue;
                                }

                                double lh2 = lh - _weight[j, h];
                                double change = k == g
                                    ? Over(g, lg + _weight[j, g]) - Over(g, load[g]) + Over(h, lh2) - Over(h, load[h])
                                    : Over(g, lg) - Over(g, load[g]) + Over(h, lh2) - Over(h, load[h]) + Over(k, load[k] + _weight[j, k]) - Over(k, load[k]);
                                if (change < best)
                                {
                                    best = change;
                                    move = (i, g, h, j, k);
                                }
                            }
                        }
                    }
                }
            }

            return move;
        }

        /// <summary>Rounds the LP's shares (the fixed buckets as they are), repairs the overload by local moves and
        /// keeps the split when it fits.</summary>
        private bool Round(double[,] shares, int[,] split, bool[] open)
        {
            var trial = (int[,])split.Clone();
            var load = new double[_options];
            for (int i = 0; i < _buckets; i++)
            {
                if (open[i])
                {
                    int rounded = 0;
                    int most = -1;
                    for (int g = 0; g < _options; g++)
                    {
                        trial[i, g] = (int)Math.Floor(shares[i, g] + 1e-7);
                        rounded += trial[i, g];
                        if (double.IsFinite(_weight[i, g]) && (most < 0 || shares[i, g] - trial[i, g] > shares[i, most] - trial[i, most]))
                        {
                            most = g;
                        }
                    }

                    // The slices the floors left go to the option with the largest remainder.
                    trial[i, most] += _f - rounded;
                }

                for (int g = 0; g < _options; g++)
                {
                    load[g] += trial[i, g] > 0 ? trial[i, g] * _weight[i, g] : 0;
                }
            }

            if (Descend(trial, load, _buckets * 2) && Fits(trial))
            {
                Keep(trial);
                return true;
            }

            return false;
        }
    }
}
