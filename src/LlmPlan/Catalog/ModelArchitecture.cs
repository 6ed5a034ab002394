namespace LlmPlan.Catalog;

/// <summary>The kind of feed-forward block in each decoder layer.</summary>
public enum MlpKind
{
    /// <summary>Gated (SwiGLU): gate, up and down projections, three d×F matrices (Llama, Mistral, Qwen).</summary>
    Gated,

    /// <summary>Plain: up and down projections, two d×F matrices (OPT, GPT).</summary>
    Plain,
}

/// <summary>A decoder-only transformer's shape, as in its public <c>config.json</c>.</summary>
/// <remarks>Parameter counts follow the standard decoder layer: attention projections d·δ·(2h + 2k) (q, o and k, v with
/// grouped-query attention), the MLP (m·d·F per expert with m = 3 gated or 2 plain), a router d·E for mixture-of-experts
/// models, and two norms (2d). Biases are ignored (&lt; 0.1 % for every catalog model). Embedding V·d, plus an LM head of
/// V·d unless tied.</remarks>
public sealed record ModelArchitecture
{
    /// <summary>Gets the catalog id, e.g. <c>llama-3.1-70b</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the public name (Hugging Face repository).</summary>
    public required string Name { get; init; }

    /// <summary>Gets the number of decoder layers L.</summary>
    public required int Layers { get; init; }

    /// <summary>Gets the hidden size d.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>Gets the MLP intermediate size F (of one expert for mixture-of-experts models).</summary>
    public required int FfnSize { get; init; }

    /// <summary>Gets the MLP kind.</summary>
    public required MlpKind Mlp { get; init; }

    /// <summary>Gets the number of attention (query) heads h.</summary>
    public required int AttentionHeads { get; init; }

    /// <summary>Gets the number of key/value heads k (k &lt; h with grouped-query attention).</summary>
    public required int KvHeads { get; init; }

    /// <summary>Gets the head dimension δ.</summary>
    public required int HeadDim { get; init; }

    /// <summary>Gets the vocabulary size V.</summary>
    public required int VocabSize { get; init; }

    /// <summary>Gets a value indicating whether the LM head shares the embedding matrix.</summary>
    public required bool TiedEmbeddings { get; init; }

    /// <summary>Gets the number of experts E per layer (1 for dense models).</summary>
    public required int Experts { get; init; }

    /// <summary>Gets the number of experts each token uses (1 for dense models).</summary>
    public required int ActiveExperts { get; init; }

    /// <summary>Gets the parameters outside the decoder layers and embeddings (a vision encoder, learned positions).</summary>
    public required long OtherParameters { get; init; }

    /// <summary>Gets the maximum context length, in tokens.</summary>
    public required int MaxContext { get; init; }

    /// <summary>Gets the public source of the numbers.</summary>
    public required string Source { get; init; }

    /// <summary>Gets the date the numbers were taken from the source.</summary>
    public required DateOnly Captured { get; init; }

    /// <summary>Gets a value indicating whether the model is a mixture of experts.</summary>
    public bool IsMixtureOfExperts => Experts > 1;

    /// <summary>Gets the attention projection parameters of one layer: d·δ·(2h + 2k).</summary>
    public long AttentionParametersPerLayer => (long)HiddenSize * HeadDim * ((2L * AttentionHeads) + (2L * KvHeads));

    /// <summary>Gets the MLP parameters of one expert: 3·d·F (gated) or 2·d·F (plain).</summary>
    public long ExpertParameters => (Mlp == MlpKind.Gated ? 3L : 2L) * HiddenSize * FfnSize;

    /// <summary>Gets the router parameters of one layer: d·E for mixture-of-experts models, else 0.</summary>
    public long RouterParametersPerLayer => IsMixtureOfExperts ? (long)HiddenSize * Experts : 0;

    /// <summary>Gets all parameters of one decoder layer (every expert, as all are resident).</summary>
    public long ParametersPerLayer =>
        AttentionParametersPerLayer + (Experts * ExpertParameters) + RouterParametersPerLayer + (2L * HiddenSize);

    /// <summary>Gets the embedding parameters V·d.</summary>
    public long EmbeddingParameters => (long)VocabSize * HiddenSize;

    /// <summary>Gets the LM-head parameters: V·d, or 0 when tied to the embedding.</summary>
    public long LmHeadParameters => TiedEmbeddings ? 0 : EmbeddingParameters;

    /// <summary>Gets the total parameter count.</summary>
    public long TotalParameters => (Layers * ParametersPerLayer) + EmbeddingParameters + LmHeadParameters + OtherParameters;

    /// <summary>Gets the decoder-layer parameters one token uses: attention plus its active experts.</summary>
    public long ActiveParametersPerLayer =>
        AttentionParametersPerLayer + (ActiveExperts * ExpertParameters) + RouterParametersPerLayer + (2L * HiddenSize);
}
