# Stack causal sliding-window layers and ask autograd which input
# positions the last output depends on: the reach grows by W - 1 a layer.
import torch

from attention_book import local_attention

torch.manual_seed(0)
n, d, window = 40, 8, 4
x = torch.randn(1, n, d, requires_grad=True)  # (1, n, d)
projections = [torch.randn(3, d, d) / d**0.5 for _ in range(6)]

h = x
for layer, (w_q, w_k, w_v) in enumerate(projections, start=1):
    h = h + local_attention(h @ w_q, h @ w_k, h @ w_v, window=window)
    (grad,) = torch.autograd.grad(h[0, -1].sum(), x, retain_graph=True)
    seen = grad[0].abs().sum(-1) > 0  # (n,): inputs that reach the last
    first = int(seen.nonzero().min())
    assert n - 1 - first == layer * (window - 1)
    print(f"{layer} layer(s): the last token sees {first}..{n - 1}")
strength = grad[0].norm(dim=-1)  # (n,): influence of each input
ratio = strength[first] / strength[-1]
print(f"influence of the furthest input, relative to the last: {ratio:.1e}")

# The same arithmetic for Mistral 7B: 32 layers, a window of 4096.
print("reach of 32 layers with W=4096:", 32 * (4096 - 1), "tokens back")
