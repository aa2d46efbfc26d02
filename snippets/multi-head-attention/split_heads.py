# Multi-head attention by hand: split into heads, attend, concatenate back.
import torch

from attention_book import MultiHeadAttention

torch.manual_seed(0)
B, L, d_model, H = 2, 5, 512, 8
D = d_model // H  # width of one head: 64
mha = MultiHeadAttention(d_model=d_model, num_heads=H)
x = torch.randn(B, L, d_model)


def show(step, tensor):
    print(f"{step:<30} {tuple(tensor.shape)}")


show("x", x)
q = mha.q_proj(x)  # one projection makes the queries of all heads
show("q = x W_Q", q)
q = q.view(B, L, H, D)  # cut the last dimension into H slices
show("q.view(B, L, H, D)", q)
q = q.transpose(1, 2)  # heads become a batch dimension
show("q.transpose(1, 2)", q)
k = mha.k_proj(x).view(B, L, H, D).transpose(1, 2)
v = mha.v_proj(x).view(B, L, H, D).transpose(1, 2)
scores = q @ k.transpose(-2, -1) / D**0.5  # every head at once
show("scores = q k^T / sqrt(D)", scores)
weights = scores.softmax(dim=-1)
show("weights = softmax(scores)", weights)
heads = weights @ v  # each head's weighted sum of its values
show("heads = weights v", heads)
concat = heads.transpose(1, 2).reshape(B, L, H * D)  # undo the split
show("concat (B, L, H * D)", concat)
out = mha.out_proj(concat)  # mixes the heads
show("out = concat W_O", out)

library_out, library_weights = mha(x, x, x)
out_gap = (out - library_out).abs().max().item()
weights_gap = (weights - library_weights).abs().max().item()
assert out_gap < 1e-5 and weights_gap < 1e-6
print(f"max |by hand - MultiHeadAttention|, output:  {out_gap:.1e}")
print(f"max |by hand - MultiHeadAttention|, weights: {weights_gap:.1e}")
