# The causal mask: position i may attend to positions j <= i only.
import torch

from attention_book import MultiHeadAttention, causal_mask

torch.manual_seed(0)
L = 5
keep = causal_mask(L)  # (L, L) bool, lower triangle
print(keep.int())
assert torch.equal(keep, torch.tril(torch.ones(L, L, dtype=torch.bool)))

# Change the last two tokens. Under the mask, outputs 0..2 cannot notice.
attn = MultiHeadAttention(d_model=8, num_heads=2).eval()
x = torch.randn(1, L, 8)  # (B, L, E)
x_new = x.clone()
x_new[:, 3:] = torch.randn(1, 2, 8)  # a different future
with torch.no_grad():
    for name, mask in (("causal", keep), ("no mask", None)):
        before, _ = attn(x, mask=mask)
        after, _ = attn(x_new, mask=mask)
        change = (after - before)[0, :3].abs().max()
        print(f"{name}: change of outputs 0..2: {change:.1e}")
    flag, _ = attn(x, is_causal=True)  # the same mask, as a flag
    assert torch.allclose(flag, attn(x, mask=keep)[0])
