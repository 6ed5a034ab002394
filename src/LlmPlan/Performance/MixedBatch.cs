namespace LlmPlan.Performance;

/// <summary>What one engine step holds under continuous batching with chunked prefill: decoded sequences and prefill
/// chunks, as the sums <see cref="StageTimeModel.MixedLayer"/> needs.</summary>
/// <param name="DecodeSequences">Sequences that each decode one token in the step.</param>
/// <param name="DecodeContextTokens">The sum of their KV lengths, in tokens.</param>
/// <param name="PrefillTokens">Prompt tokens prefilled in the step (the sum of the chunks' lengths k).</param>
/// <param name="PrefillAttendedPairs">Σ k·(s₀ + k/2) over the chunks, s₀ being the prompt tokens before the chunk:
/// the query–key pairs of causal attention (a whole prompt of S tokens has S²/2).</param>
/// <param name="PrefillEarlierTokens">Σ s₀ over the chunks: earlier prompt tokens whose KV the chunks read.</param>
public readonly record struct MixedBatch(double DecodeSequences, double DecodeContextTokens, double PrefillTokens, double PrefillAttendedPairs, double PrefillEarlierTokens);
