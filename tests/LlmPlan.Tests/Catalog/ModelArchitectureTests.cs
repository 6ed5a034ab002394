using LlmPlan.Catalog;
using LlmPlan.Tests.Infrastructure;

namespace LlmPlan.Tests.Catalog;

public class ModelArchitectureTests
{
    [Fact]
    public void Should_count_8_03_billion_parameters_When_the_model_is_llama_3_1_8b()
    {
        // Given llama-3.1-8b (d 4096, F 14336, h 32, k 8, δ 128, V 128256, 32 layers, untied):
        // attention 4096·128·(2·32 + 2·8) = 41,943,040; MLP 3·4096·14336 = 176,160,768; norms 2·4096 = 8,192
        // → 218,112,000 per layer; × 32 = 6,979,584,000; embedding and LM head 2 · 128256·4096 = 1,050,673,152.
        ModelArchitecture model = TestHardware.Model("llama-3.1-8b");
        Assert.Equal(218_112_000, model.ParametersPerLayer);
        Assert.Equal(8_030_257_152, model.TotalParameters);
    }

    [Theory]
    [InlineData("llama-3.1-70b", 70.55)] // meta-llama/Llama-3.1-70B model card: 70.6B
    [InlineData("llama-3.1-405b", 405.85)] // model card: 405B
    [InlineData("mixtral-8x7b", 46.70)] // Mixtral paper: 46.7B total
    [InlineData("qwen3-235b-a22b", 235.09)] // Qwen3 card: 235B total
    [InlineData("qwen2.5-72b", 72.71)] // Qwen2.5 card: 72.7B
    [InlineData("opt-66b", 65.7)] // OPT paper: 66B
    public void Should_match_the_published_parameter_count_When_a_catalog_model_is_counted(string id, double billions)
    {
        // Given a catalog model, When its parameters are counted, Then they are within 1 % of the published total.
        double counted = TestHardware.Model(id).TotalParameters / 1e9;
        Assert.InRange(counted, billions * 0.99, billions * 1.01);
    }

    [Fact]
    public void Should_use_only_active_experts_per_token_When_the_model_is_a_mixture_of_experts()
    {
        // Given mixtral-8x7b (8 experts, 2 active, expert 3·4096·14336 = 176,160,768), the active parameters per layer
        // are attention 4096·128·(64 + 16) = 41,943,040 + 2 experts + router 4096·8 + norms 8192.
        ModelArchitecture model = TestHardware.Model("mixtral-8x7b");
        Assert.Equal(41_943_040 + (2 * 176_160_768L) + 32_768 + 8_192, model.ActiveParametersPerLayer);
        Assert.Equal(41_943_040 + (8 * 176_160_768L) + 32_768 + 8_192, model.ParametersPerLayer);
    }
}
