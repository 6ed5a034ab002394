using LlmPlan.Optimization;
using LlmPlan.Planning.Robust;

namespace LlmPlan.Tests.Planning.Robust;

/// <summary>The robust models written out literally, row by row as the seed spec §1.5 states them (McCormick rows for
/// v = w·x and W = w·q, one memory and one compute row per pair, integer y, no pairs fixed out), to check that the
/// planner's tightened model has the same optimum.</summary>
public static class LiteralRobustModel
{
    public static LinearModel Build(RobustInstance instance, RobustOptions options)
    {
        bool seed = options.Formulation == FormulationKind.Seed;
        var q = instance.QueryClasses;
        var m = instance.Models;
        var t = instance.Tiers;
        var tp = instance.TpDegrees;
        RobustScalars s = instance.Scalars;
        int ni = q.Count, nj = m.Count, nk = t.Count, nn = tp.Count;
        double gd = options.DelayBudget(instance), ge = options.ErrorBudget(instance);
        var model = new LinearModel("literal");
        var x = new Variable[ni, nj, nk];
        var z = new Variable[ni, nj, nk];
        var y = new Variable[nj, nk];
        var qv = new Variable[nj, nk];
        var w = new Variable[nj, nk, nn];
        var bigW = new Variable[nj, nk, nn];
        var v = new Variable[ni, nj, nk, nn];
        var u = new Variable[ni];
        double storage = s.HorizonHours * s.StoragePricePerGigabyteHour;
        for (int j = 0; j < nj; j++)
        {
            for (int k = 0; k < nk; k++)
            {
                y[j, k] = model.AddInteger($"y{j}{k}", 0, 1000, s.HorizonHours * t[k].PricePerHour);
                qv[j, k] = model.AddBinary($"q{j}{k}");
                for (int n = 0; n < nn; n++)
                {
                    w[j, k, n] = model.AddBinary($"w{j}{k}{n}");
                    bigW[j, k, n] = model.AddBinary($"W{j}{k}{n}");
                }
            }
        }

        for (int i = 0; i < ni; i++)
        {
            u[i] = model.AddVariable($"u{i}", 0, 1, VariableKind.Continuous, q[i].UnmetPenalty * q[i].ArrivalRatePerHour);
            model.AddLessOrEqual($"ucap{i}", [u[i].AsTerm()], seed ? 0.01 * q[i].ArrivalRatePerHour : 1);
            for (int j = 0; j < nj; j++)
            {
                for (int k = 0; k < nk; k++)
                {
                    x[i, j, k] = model.AddVariable($"x{i}{j}{k}", 0, 1, VariableKind.Continuous, storage * q[i].TokenSizeMegabytes * q[i].Tokens * q[i].ArrivalRatePerHour);
                    z[i, j, k] = model.AddBinary($"z{i}{j}{k}", storage * m[j].SizeGigabytes);
                    for (int n = 0; n < nn; n++)
                    {
                        double c3 = seed ? 0 : q[i].DelayPenaltyPerMillisecond * q[i].ArrivalRatePerHour * q[i].Tokens * instance.DelayNominal[i, j, k] / tp[n];
                        v[i, j, k, n] = model.AddVariable($"v{i}{j}{k}{n}", 0, 1, VariableKind.Continuous, c3);
                    }
                }
            }
        }

        Variable rho = model.AddVariable("rho", 0, double.PositiveInfinity, VariableKind.Continuous, 1);
        var budget = new List<LinearTerm>();
        for (int i = 0; i < ni; i++)
        {
            var supply = new List<LinearTerm> { u[i].AsTerm() };
            var single = new List<LinearTerm>();
            for (int j = 0; j < nj; j++)
            {
                for (int k = 0; k < nk; k++)
                {
                    supply.Add(x[i, j, k].AsTerm());
                    single.Add(z[i, j, k].AsTerm());
                    model.AddLessOrEqual("xz", [x[i, j, k].AsTerm(), -1 * z[i, j, k]], 0);
                    model.AddLessOrEqual("zq", [z[i, j, k].AsTerm(), -1 * qv[j, k]], 0);
                    for (int n = 0; n < nn; n++)
                    {
                        model.AddLessOrEqual("vw", [v[i, j, k, n].AsTerm(), -1 * w[j, k, n]], 0);
                        model.AddLessOrEqual("vx", [v[i, j, k, n].AsTerm(), -1 * x[i, j, k]], 0);
                        model.AddGreaterOrEqual("vxw", [v[i, j, k, n].AsTerm(), -1 * x[i, j, k], -1 * w[j, k, n]], -1);
                    }

                    budget.Add((seed ? ni : 1.0) / ni * s.HorizonHours * t[k].PricePerHour * y[j, k]);
                    budget.Add(storage * m[j].SizeGigabytes * z[i, j, k]);
                    budget.Add(storage * q[i].TokenSizeMegabytes * q[i].Tokens * q[i].ArrivalRatePerHour * x[i, j, k]);
                }
            }

            model.AddEqual("supply", supply, 1);
            if (!options.SplitTraffic)
            {
                model.AddEqual("single", single, 1);
            }
        }

        // The seed's budget sums p·y inside the i-loop (|I| times); the corrected counts it once: each class adds 1/|I|.
        model.AddLessOrEqual("budget", budget, s.Budget);
        var storageRow = new List<LinearTerm>();
        for (int j = 0; j < nj; j++)
        {
            for (int k = 0; k < nk; k++)
            {
                model.AddEqual("tp", Enumerable.Range(0, nn).Select(n => w[j, k, n].AsTerm()).Append(-1 * qv[j, k]), 0);
                var gpus = new List<LinearTerm> { y[j, k].AsTerm() };
                for (int n = 0; n < nn; n++)
                {
                    model.AddLessOrEqual("Ww", [bigW[j, k, n].AsTerm(), -1 * w[j, k, n]], 0);
                    model.AddLessOrEqual("Wq", [bigW[j, k, n].AsTerm(), -1 * qv[j, k]], 0);
                    model.AddGreaterOrEqual("Wwq", [bigW[j, k, n].AsTerm(), -1 * w[j, k, n], -1 * qv[j, k]], -1);
                    gpus.Add(-tp[n] * bigW[j, k, n]);
                }

                model.AddEqual("gpus", gpus, 0);
                if (m[j].SizeGigabytes > tp.Max() * t[k].MemoryGigabytes)
                {
                    model.AddEqual("big", [y[j, k].AsTerm()], 0);
                }
                else
                {
                    var memory = new List<LinearTerm> { -t[k].MemoryGigabytes * qv[j, k] };
                    for (int n = 0; n < nn; n++)
                    {
                        memory.Add(m[j].SizeGigabytes / tp[n] * w[j, k, n]);
                        for (int i = 0; i < ni; i++)
                        {
                            memory.Add(m[j].KvGigabytesPerToken / tp[n] * q[i].Tokens * q[i].ArrivalRatePerHour * s.KvResidencyTime * v[i, j, k, n]);
                        }
                    }

                    model.AddLessOrEqual("memory", memory, 0);
                }

                model.AddLessOrEqual("compute", Enumerable.Range(0, ni).Select(i => q[i].ComputeDemandAlpha * q[i].Tokens * x[i, j, k]).Append(-t[k].ComputeTflops * y[j, k]), 0);
                for (int i = 0; i < ni; i++)
                {
                    storageRow.Add(m[j].SizeGigabytes * z[i, j, k]);
                }
            }
        }

        model.AddLessOrEqual("storage", storageRow, s.StorageCapacityGigabytes);
        var objectiveDeviation = new List<LinearTerm> { rho.AsTerm() };
        for (int i = 0; i < ni; i++)
        {
            Variable t0 = model.AddVariable($"t0{i}", 0, double.PositiveInfinity);
            Variable t1 = model.AddVariable($"t1{i}", 0, double.PositiveInfinity);
            Variable t2 = model.AddVariable($"t2{i}", 0, double.PositiveInfinity);
            var delay = new List<LinearTerm> { gd * t0 };
            var error = new List<LinearTerm> { ge * t1 };
            objectiveDeviation.Add(-gd * t2);
            for (int j = 0; j < nj; j++)
            {
                for (int k = 0; k < nk; k++)
                {
                    Variable s0 = model.AddVariable("s0", 0, double.PositiveInfinity);
                    Variable s1 = model.AddVariable("s1", 0, double.PositiveInfinity);
                    Variable s2 = model.AddVariable("s2", 0, double.PositiveInfinity);
                    delay.Add(s0.AsTerm());
                    error.Add(s1.AsTerm());
                    objectiveDeviation.Add(-1 * s2);
                    error.Add(instance.ErrorNominal[i, j, k] * x[i, j, k]);
                    model.AddGreaterOrEqual("d1", [t1.AsTerm(), s1.AsTerm(), -instance.ErrorDeviation[i, j, k] * x[i, j, k]], 0);
                    double r = q[i].Tokens;
                    double penalty = q[i].DelayPenaltyPerMillisecond * q[i].ArrivalRatePerHour;
                    var d0 = new List<LinearTerm> { t0.AsTerm(), s0.AsTerm() };
                    var d2 = new List<LinearTerm> { t2.AsTerm(), s2.AsTerm() };
                    if (seed)
                    {
                        delay.Add(instance.DelayNominal[i, j, k] * r * x[i, j, k]);
                        d0.Add(-instance.DelayDeviation[i, j, k] * r * x[i, j, k]);
                        d2.Add(-instance.DelayDeviation[i, j, k] * r * penalty * x[i, j, k]);
                    }
                    else
                    {
                        for (int n = 0; n < nn; n++)
                        {
                            delay.Add(instance.DelayNominal[i, j, k] * r / tp[n] * v[i, j, k, n]);
                            d0.Add(-instance.DelayDeviation[i, j, k] * r / tp[n] * v[i, j, k, n]);
                            d2.Add(-instance.DelayDeviation[i, j, k] * r * penalty / tp[n] * v[i, j, k, n]);
                        }
                    }

                    model.AddGreaterOrEqual("d0", d0, 0);
                    model.AddGreaterOrEqual("d2", d2, 0);
                }
            }

            if (seed)
            {
                for (int n = 0; n < nn; n++)
                {
                    delay.Add(-q[i].DelayThresholdMilliseconds * tp[n] * w[nj - 1, nk - 1, n]);
                }

                model.AddLessOrEqual("delay", delay, 0);
            }
            else
            {
                model.AddLessOrEqual("delay", delay, q[i].DelayThresholdMilliseconds);
            }

            model.AddLessOrEqual("error", error, q[i].ErrorThreshold);
        }

        model.AddGreaterOrEqual("rho", objectiveDeviation, 0);
        return model;
    }

    /// <summary>The sub-instance of some classes, models and tiers (in the given order).</summary>
    public static RobustInstance Subset(RobustInstance instance, int[] classes, int[] models, int[] tiers)
    {
        IEnumerable<double> Cells(Table3 table) =>
            from i in classes from j in models from k in tiers select table[i, j, k];
        Table3 Pick(Table3 table) => new(classes.Length, models.Length, tiers.Length, Cells(table));
        return instance with
        {
            QueryClasses = [.. classes.Select(i => instance.QueryClasses[i])],
            Models = [.. models.Select(j => instance.Models[j])],
            Tiers = [.. tiers.Select(k => instance.Tiers[k])],
            DelayNominal = Pick(instance.DelayNominal),
            DelayDeviation = Pick(instance.DelayDeviation),
            ErrorNominal = Pick(instance.ErrorNominal),
            ErrorDeviation = Pick(instance.ErrorDeviation),
        };
    }
}
