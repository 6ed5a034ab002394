namespace LlmPlan.Planning.Robust;

/// <summary>numpy's legacy <c>RandomState</c> (<c>np.random.seed</c>): the MT19937 generator seeded with
/// <c>init_genrand</c>, with numpy's <c>random_sample</c>/<c>uniform</c> and legacy masked <c>randint</c>, so that a C#
/// port draws the same numbers bit for bit (seed spec §2.3). Stateful: each call advances the stream.</summary>
internal sealed class Mt19937
{
    private const int N = 624;
    private const int M = 397;
    private const uint MatrixA = 0x9908B0DF;
    private const uint UpperMask = 0x80000000;
    private const uint LowerMask = 0x7FFFFFFF;

    private readonly uint[] _mt = new uint[N];
    private int _index;

    /// <summary>Initializes a new instance of the <see cref="Mt19937"/> class as <c>np.random.seed(seed)</c> does:
    /// mt[0] = seed, mt[i] = 1812433253·(mt[i−1] ^ (mt[i−1] &gt;&gt; 30)) + i (mod 2^32).</summary>
    /// <param name="seed">The seed, 0 … 2^32 − 1 (numpy's range).</param>
    public Mt19937(uint seed)
    {
        _mt[0] = seed;
        for (int i = 1; i < N; i++)
        {
            _mt[i] = unchecked((1812433253u * (_mt[i - 1] ^ (_mt[i - 1] >> 30))) + (uint)i);
        }

        _index = N;
    }

    /// <summary>The next tempered 32-bit output.</summary>
    /// <returns>A value in 0 … 2^32 − 1.</returns>
    public uint NextUInt32()
    {
        if (_index >= N)
        {
            Twist();
        }

        uint y = _mt[_index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C5680;
        y ^= (y << 15) & 0xEFC60000;
        y ^= y >> 18;
        return y;
    }

    /// <summary>numpy's <c>random_sample()</c>: a 53-bit double in [0, 1) from two outputs a, b:
    /// ((a &gt;&gt; 5)·2^26 + (b &gt;&gt; 6)) / 2^53.</summary>
    /// <returns>The sample.</returns>
    public double NextDouble()
    {
        uint a = NextUInt32() >> 5;
        uint b = NextUInt32() >> 6;
        return ((a * 67108864.0) + b) / 9007199254740992.0;
    }

    /// <summary>numpy's <c>uniform(lo, hi)</c>, evaluated as numpy does: lo + (hi − lo)·u.</summary>
    /// <param name="lo">The lower bound.</param>
    /// <param name="hi">The upper bound.</param>
    /// <returns>The draw.</returns>
    public double Uniform(double lo, double hi)
    {
        double range = hi - lo;
        return lo + (range * NextDouble());
    }

    /// <summary>numpy's legacy <c>randint(lo, hi)</c> (int64, hi exclusive) by masked rejection on 32-bit draws:
    /// rng = hi − 1 − lo, mask = the smallest all-ones value ≥ rng, v = next &amp; mask until v ≤ rng; lo + v. No draw
    /// when rng = 0.</summary>
    /// <param name="lo">The lowest value.</param>
    /// <param name="hiExclusive">One past the highest value; hi − lo − 1 must fit in 32 bits.</param>
    /// <returns>The draw.</returns>
    public long RandInt(long lo, long hiExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(hiExclusive, lo);
        ulong range = (ulong)(hiExclusive - 1 - lo);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(range, uint.MaxValue, nameof(hiExclusive));
        if (range == 0)
        {
            return lo;
        }

        uint rng = (uint)range;
        uint mask = rng;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        uint v;
        do
        {
            v = NextUInt32() & mask;
        }
        while (v > rng);
        return lo + v;
    }

    private void Twist()
    {
        for (int i = 0; i < N; i++)
        {
            uint y = (_mt[i] & UpperMask) | (_mt[(i + 1) % N] & LowerMask);
            _mt[i] = _mt[(i + M) % N] ^ (y >> 1) ^ ((y & 1) == 0 ? 0u : MatrixA);
        }

        _index = 0;
    }
}
