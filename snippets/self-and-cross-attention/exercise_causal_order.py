# A causal mask breaks permutation equivariance: order leaks in.
import torch

from attention_book import MultiHeadAttention

torch.manual_seed(0)
L, E = 5, 8
attn = MultiHeadAttention(E, num_heads=2).eval()
x = torch.randn(1, L, E)
perm = torch.tensor([4, 3, 2, 1, 0])  # reverse the sequence

with torch.no_grad():
    for is_causal in (False, True):
        out, _ = attn(x, is_causal=is_causal)
        out_of_permuted, _ = attn(x[:, perm], is_causal=is_causal)
        diff = (out_of_permuted - out[:, perm]).abs().max()
        print(f"{is_causal=}: max |attn(P x) - P attn(x)| = {diff:.1e}")
    # Under the mask, the first position sees only itself: its output is a
    # function of one token, whatever the others are.
    out, w = attn(x, is_causal=True)
    print("first query, weights per head:", w[0, :, 0].tolist())
