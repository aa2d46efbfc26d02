# H separate attentions, one per slice of the projections, equal the layer.
import torch

from attention_book import MultiHeadAttention, scaled_dot_product_attention

torch.manual_seed(0)
B, L, d_model, H = 2, 5, 64, 4
D = d_model // H
mha = MultiHeadAttention(d_model=d_model, num_heads=H)
x = torch.randn(B, L, d_model)

heads = []
for h in range(H):
    rows = slice(h * D, (h + 1) * D)  # head h owns these output rows
    q = x @ mha.q_proj.weight[rows].T + mha.q_proj.bias[rows]  # (B, L, D)
    k = x @ mha.k_proj.weight[rows].T + mha.k_proj.bias[rows]
    v = x @ mha.v_proj.weight[rows].T + mha.v_proj.bias[rows]
    out, _ = scaled_dot_product_attention(q, k, v)
    heads.append(out)  # (B, L, D)
looped = mha.out_proj(torch.cat(heads, dim=-1))  # (B, L, H * D) -> (B, L, d)

fused, _ = mha(x)
gap = (looped - fused).abs().max().item()
assert gap < 1e-5
print(f"max |loop over heads - MultiHeadAttention|: {gap:.1e}")
