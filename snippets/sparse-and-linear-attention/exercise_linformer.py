# Linformer: project the n keys and values onto k rows with a (k, n)
# matrix, then attend over those k rows. Cost O(n k), but not causal.
import torch

from attention_book import scaled_dot_product_attention

torch.manual_seed(0)
n, d, rows = 256, 16, 32
x = torch.randn(n, d, requires_grad=True)  # (n, d)
w_q, w_k, w_v = torch.randn(3, d, d) / d**0.5
proj = torch.randn(rows, n) / n**0.5  # (k, n), learned in Linformer

q, k, v = x @ w_q, proj @ (x @ w_k), proj @ (x @ w_v)  # k, v: (k, d)
out, weights = scaled_dot_product_attention(q, k, v)
print("scores per layer:", tuple(weights.shape), "instead of", (n, n))

# Every projected row mixes all n positions, the last one included,
# so the output at position 0 depends on the future.
(grad,) = torch.autograd.grad(out[0].sum(), x)
print(f"output 0 depends on token {n - 1}:", bool(grad[-1].abs().sum() > 0))
