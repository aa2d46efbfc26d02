# Shuffle the source of cross-attention: the output does not change at all.
import torch

from attention_book import MultiHeadAttention

torch.manual_seed(0)
L, S, E = 3, 5, 8
attn = MultiHeadAttention(E, num_heads=2).eval()
target, source = torch.randn(1, L, E), torch.randn(1, S, E)
perm = torch.randperm(S)

with torch.no_grad():
    out, w = attn(target, source, source)
    out_shuffled, w_shuffled = attn(target, source[:, perm], source[:, perm])
diff = (out_shuffled - out).abs().max()
assert torch.allclose(out_shuffled, out, atol=1e-6)
print(f"output, max change: {diff:.1e}")
# The weights move with their keys: column j of the new weights is perm[j].
assert torch.allclose(w_shuffled, w[..., perm], atol=1e-6)
print("weights permuted along with the keys:", True)
