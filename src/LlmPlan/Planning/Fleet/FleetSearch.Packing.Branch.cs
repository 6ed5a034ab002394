using System.Collections;
using LlmPlan.Optimization;

namespace LlmPlan.Planning.Fleet;

internal static partial class FleetSearch
{
    /// <summary>The branch and bound that decides the count vectors the bounds and the quick split leave open: an exact LP
    /// relaxation at every node (<see cref="DenseSimplex"/>), its row prices as π for the bound, pairs barred and buckets
    /// fixed under that π, the LP's shares rounded, and branching over the splits of a fractional bucket.</summary>
    private sealed partial class Packing
    {
        /// <summary>The branch and bound over the open buckets' splits (<paramref name="left"/> of them), the fixed
        /// buckets' slices in <paramref name="split"/> and <see cref="_room"/> what they leave.</summary>
        /// <returns>True with a fitting split kept, false when none exists, null when the node budget ran out.</returns>
        private bool? Branch(int[,] split, bool[] open, int left)
        {
            if (left == 0)
            {
                // Every bucket was fixed within the room left; the check from scratch only fails on rounding noise.
                if (!Fits(split))
                {
                    return false;
                }

                Keep(split);
                return true;
            }

            if (++_nodes > NodeBudget)
            {
                return null;
            }

            for (int w = 0; w < _fixedWeights.Length; w++)
            {
                if (Excess(_fixedWeights[w], Need(_fixedWeights[w], open)) > 0)
                {
                    return false;
                }
            }

            Relaxation? relaxation = Relax(open);
            if (relaxation is null)
            {
                return null;
            }

            // The LP's row prices are a π for the necessary condition, checked here in our own arithmetic.
            var (shares, pi) = (relaxation.Shares, relaxation.Prices);
            double gap = -Excess(pi, Need(pi, open));
            if (gap < 0)
            {
                return false;
            }

            // Pairs dearer than the gap under π are barred; a bucket left with one option has all its slices there.
            var fixedHere = new List<(int Bucket, int Option)>();
            var barred = new List<(int Bucket, int Option)>();
            bool? result = false;
            if (Restrict(pi, gap, split, open, barred, fixedHere))
            {
                left -= fixedHere.Count;
                if (left == 0)
                {
                    result = Branch(split, open, 0);
                }
                else if (Round(shares, split, open))
                {
                    result = true;
                }
                else
                {
                    result = Expand(split, open, left, pi, gap, shares);
                }
            }

            Undo(split, open, barred, fixedHere);
            return result;
        }

        /// <summary>Bars every (open bucket, option) pair whose cost per slice over the bucket's cheapest option under π
        /// exceeds the gap (one slice there breaks the necessary condition with this π), and fixes every open bucket
        /// left with one option onto it; both recorded for <see cref="Undo"/>.</summary>
        /// <returns>False when a bucket left with one option does not fit its room (the node has no split).</returns>
        private bool Restrict(double[] pi, double gap, int[,] split, bool[] open, List<(int Bucket, int Option)> barred, List<(int Bucket, int Option)> fixedHere)
        {
            double limit = gap + (Slack * Math.Max(1, gap));
            for (int i = 0; i < _buckets; i++)
            {
                if (!open[i])
                {
                    continue;
                }

                double least = Least(pi, i);
                int only = -1;
                int within = 0;
                for (int g = 0; g < _options; g++)
                {
                    if (!_allowed[i, g])
                    {
                        continue;
                    }

                    if ((pi[g] * _weight[i, g]) - least > limit)
                    {
                        _allowed[i, g] = false;
                        barred.Add((i, g));
                    }
                    else
                    {
                        within++;
                        only = g;
                    }
                }

                if (within != 1)
                {
                    continue;
                }

                if (_f * _weight[i, only] > _room[only])
                {
                    return false;
                }

                split[i, only] = _f;
                _room[only] -= _f * _weight[i, only];
                open[i] = false;
                fixedHere.Add((i, only));
            }

            return true;
        }

        private void Undo(int[,] split, bool[] open, List<(int Bucket, int Option)> barred, List<(int Bucket, int Option)> fixedHere)
        {
            foreach (var (i, g) in fixedHere)
            {
                _room[g] += _f * _weight[i, g];
                split[i, g] = 0;
                open[i] = true;
            }

            foreach (var (i, g) in barred)
            {
                _allowed[i, g] = true;
            }
        }

        /// <summary>Branches on the fractional bucket with the fewest options that can take a slice (fail first; ties:
        /// the largest), its splits within the gap cheapest first.</summary>
        private bool? Expand(int[,] split, bool[] open, int left, double[] pi, double gap, double[,] shares)
        {
            int bucket = -1;
            int fewest = int.MaxValue;
            for (int i = 0; i < _buckets; i++)
            {
                if (!open[i] || !Fractional(shares, i))
                {
                    continue;
                }

                int usable = 0;
                for (int g = 0; g < _options; g++)
                {
                    usable += _allowed[i, g] && _room[g] >= _weight[i, g] ? 1 : 0;
                }

                if (usable < fewest)
                {
                    (bucket, fewest) = (i, usable);
                }
            }

            // Whole LP shares everywhere (the rounding failed only on rounding noise): the largest open bucket.
            bucket = bucket < 0 ? Array.IndexOf(open, true) : bucket;
            var children = Children(bucket, pi, gap, shares);
            if (children is null)
            {
                return null;
            }

            open[bucket] = false;
            bool? result = false;
            foreach (int[] child in children)
            {
                for (int g = 0; g < _options; g++)
                {
                    // Only options with slices: 0·∞ (an option that cannot serve the bucket) is NaN.
                    split[bucket, g] = child[g];
                    _room[g] -= child[g] > 0 ? child[g] * _weight[bucket, g] : 0;
                }

                bool? found = Branch(split, open, left - 1);
                for (int g = 0; g < _options; g++)
                {
                    _room[g] += child[g] > 0 ? child[g] * _weight[bucket, g] : 0;
                    split[bucket, g] = 0;
                }

                if (found != false)
                {
                    result = found;
                    break;
                }
            }

            open[bucket] = true;
            return result;
        }

        /// <summary>The LP relaxation of the open buckets' split: slices per (bucket, option) ≥ 0 and a scale θ,
        /// maximise θ subject to load(g) ≤ room(g) and Σ_g slices(b, g) ≥ θ·F. The buckets fit fractionally when θ ≥ 1;
        /// its dual is min Σ_g π(g)·room(g) over π ≥ 0 with Σ_b F·min_g π(g)·w(b,g) ≥ 1, so the row prices of the load
        /// rows are the best π for the necessary condition.</summary>
        /// <returns>The shares (each open bucket's slices scaled to sum to F) and π, or null when the simplex gave up.</returns>
        private Relaxation? Relax(bool[] open)
        {
            var columns = new List<(int Bucket, int Option)>();
            var rowOf = new int[_buckets];
            int rows = _options;
            for (int i = 0; i < _buckets; i++)
            {
                if (!open[i])
                {
                    continue;
                }

                rowOf[i] = rows++;
                for (int g = 0; g < _options; g++)
                {
                    if (_allowed[i, g])
                    {
                        columns.Add((i, g));
                    }
                }
            }

            int theta = columns.Count;
            var a = new double[rows, theta + 1];
            var b = new double[rows];
            var c = new double[theta + 1];
            for (int g = 0; g < _options; g++)
            {
                b[g] = Math.Max(0, _room[g]);
            }

            for (int k = 0; k < theta; k++)
            {
                var (i, g) = columns[k];
                a[g, k] = _weight[i, g];
                a[rowOf[i], k] = -1;
            }

            for (int i = 0; i < _buckets; i++)
            {
                if (open[i])
                {
                    a[rowOf[i], theta] = _f;
                }
            }

            c[theta] = 1;
            DenseSimplexResult lp = DenseSimplex.Maximize(a, b, c);
            if (lp.Status != DenseSimplexStatus.Optimal)
            {
                return null;
            }

            var shares = new double[_buckets, _options];
            var sums = new double[_buckets];
            for (int k = 0; k < theta; k++)
            {
                sums[columns[k].Bucket] += lp.Values[k];
            }

            for (int k = 0; k < theta; k++)
            {
                var (i, g) = columns[k];
                shares[i, g] = sums[i] > 0 ? _f * lp.Values[k] / sums[i] : 0;
            }

            return new Relaxation(shares, [.. lp.Duals.Take(_options)]);
        }

        /// <summary>Whether a bucket's LP shares are not whole slices.</summary>
        private bool Fractional(double[,] shares, int i) => Enumerable.Range(0, _options).Any(g => Math.Abs(shares[i, g] - Math.Round(shares[i, g])) > 1e-7);

        /// <summary>Every integer split of a bucket's F slices over its allowed options with room, whose cost over the
        /// cheapest option under π, Σ_g n(g)·(π(g)·w(b,g) − min_h π(h)·w(b,h)), is within the gap the node leaves (a
        /// dearer split fails the necessary condition with this π); cheapest first, then nearest the LP's shares; null
        /// when there are more than <see cref="MaxChildren"/>.</summary>
        private List<int[]>? Children(int bucket, double[] pi, double gap, double[,] shares)
        {
            double least = Least(pi, bucket);
            var usable = Enumerable.Range(0, _options)
                .Where(g => _allowed[bucket, g] && _room[g] >= _weight[bucket, g])
                .OrderBy(g => (pi[g] * _weight[bucket, g]) - least)
                .ThenBy(g => g)
                .ToArray();
            var list = new List<(double Cost, int[] Split)>();
            var current = new int[_options];
            bool Walk(int c, int left, double cost)
            {
                if (left == 0)
                {
                    list.Add((cost, (int[])current.Clone()));
                    return list.Count <= MaxChildren;
                }

                if (c == usable.Length)
                {
                    return true;
                }

                int g = usable[c];
                double each = (pi[g] * _weight[bucket, g]) - least;
                int most = Math.Min(left, (int)Math.Floor(_room[g] / _weight[bucket, g]));
                for (int n = most; n >= 0; n--)
                {
                    double next = cost + (n * each);
                    if (next > gap + (Slack * Math.Max(1, gap)))
                    {
                        continue;
                    }

                    current[g] = n;
                    bool more = Walk(c + 1, left - n, next);
                    current[g] = 0;
                    if (!more)
                    {
                        return false;
                    }
                }

                return true;
            }

            if (!Walk(0, _f, 0))
            {
                return null;
            }

            // Cheapest first; among equals, nearest the LP's shares, then by counts.
            double Distance(int[] child) => Enumerable.Range(0, _options).Sum(g => Math.Abs(child[g] - shares[bucket, g]));
            return [.. list
                .Select(x => (x.Cost, x.Split, Distance: Distance(x.Split)))
                .OrderBy(x => x.Cost)
                .ThenBy(x => x.Distance)
                .ThenByDescending(x => x.Split, Comparer<int[]>.Create(StructuralComparisons.StructuralComparer.Compare))
                .Select(x => x.Split)];
        }

        /// <summary>A node's LP relaxation: each open bucket's slices per option scaled to sum to F, and the row prices
        /// π of the load rows.</summary>
        private sealed record Relaxation(double[,] Shares, double[] Prices);
    }
}
