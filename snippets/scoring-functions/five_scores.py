# One query, five keys, five score functions: the same weights pipeline,
# different scores. Checked against PyTorch where PyTorch has the same thing.
import torch
import torch.nn.functional as F

from attention_book import (
    AdditiveAttention,
    DotProductAttention,
    MultiplicativeAttention,
)

torch.manual_seed(0)
d = 8  # query and key width
query = torch.randn(1, d)  # (B, d): one decoder state
keys = torch.randn(1, 5, d)  # (B, S, d): five encoder states
scorers = {
    "additive": AdditiveAttention(d, d, hidden_dim=d),
    "dot": MultiplicativeAttention(d, d, "dot"),
    "general": MultiplicativeAttention(d, d, "general"),
    "concat": MultiplicativeAttention(d, d, "concat"),
    "scaled dot": DotProductAttention(scaled=True),
}
print(f"{'score':<11} weights over the five keys")
for name, scorer in scorers.items():
    _, weights = scorer(query, keys, keys)  # weights (B, S), rows sum to 1
    assert torch.allclose(weights.sum(-1), torch.ones(1))
    print(f"{name:<11}", " ".join(f"{w:.2f}" for w in weights[0]))

# Dot and scaled dot are PyTorch's kernel with scale 1 and 1/sqrt(d).
q = query.unsqueeze(1)  # (B, 1, d)
for name, scale in (("dot", 1.0), ("scaled dot", d**-0.5)):
    ours, _ = scorers[name](q, keys, keys)
    theirs = F.scaled_dot_product_attention(q, keys, keys, scale=scale)
    assert torch.allclose(ours, theirs, atol=1e-6)
    print(f"{name} equals F.scaled_dot_product_attention: True")

# Concat is additive attention written differently: W [q; k] = W_q q + W_k k.
concat, additive = scorers["concat"], AdditiveAttention(d, d, hidden_dim=d)
with torch.no_grad():
    additive.query_proj.weight.copy_(concat.W.weight[:, :d])  # W_q
    additive.key_proj.weight.copy_(concat.W.weight[:, d:])  # W_k
    additive.v.weight.copy_(concat.v.weight)
gap = (concat.score(q, keys) - additive.score(q, keys)).abs().max()
assert gap < 1e-6
print(f"concat equals additive with W split in two: {gap < 1e-6}")
