# The library's tiled_attention equals the explicit computation and PyTorch's
# fused kernel, with and without the causal mask, for block sizes that do not
# divide the length (the last tile is shorter) and one larger than it.
import torch
import torch.nn.functional as F

from attention_book import scaled_dot_product_attention
from attention_book.efficient import tiled_attention

torch.manual_seed(0)
torch.set_num_threads(1)  # one thread: the same rounding on every machine
B, H, L, E = 2, 3, 37, 16
q, k, v = (torch.randn(B, H, L, E) for _ in range(3))  # (B, H, L, E) each

print("max |tiled - other|")
print(f"{'mask':<8}{'block':>5}{'explicit':>11}{'torch':>10}")
for causal in (False, True):
    explicit, weights = scaled_dot_product_attention(q, k, v, is_causal=causal)
    fused = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    for block in (8, 16, 64):
        tiled = tiled_attention(q, k, v, block_size=block, is_causal=causal)
        assert torch.allclose(tiled, explicit, atol=1e-5)
        assert torch.allclose(tiled, fused, atol=1e-5)
        to_explicit = (tiled - explicit).abs().max()
        to_torch = (tiled - fused).abs().max()
        mask = "causal" if causal else "none"
        print(f"{mask:<8}{block:>5}{to_explicit:>11.1e}{to_torch:>10.1e}")
print("the explicit path held weights of shape", tuple(weights.shape))
