# How much does the last output depend on an input t steps back? Gradient
# norms through a GRU (a path of t steps) and through one self-attention
# layer (a path of one step), both freshly initialised.
import torch
from torch import nn

from attention_book import scaled_dot_product_attention

torch.manual_seed(0)
n, width = 64, 32
x = torch.randn(1, n, width, requires_grad=True)  # (B, n, width)

gru = nn.GRU(width, width, batch_first=True)
gru_out, _ = gru(x)  # (1, n, width): step i has read inputs 0..i
gru_grad = torch.autograd.grad(gru_out[0, -1].sum(), x)[0][0]  # (n, width)

q, k, v = (nn.Linear(width, width) for _ in range(3))
att_out, _ = scaled_dot_product_attention(q(x), k(x), v(x))  # (1, n, width)
att_grad = torch.autograd.grad(att_out[0, -1].sum(), x)[0][0]  # (n, width)

print(f"{'steps back':>10} {'GRU':>9} {'attention':>10}")
for back in (1, 2, 4, 8, 16, 32, 63):
    g, a = gru_grad[n - 1 - back].norm(), att_grad[n - 1 - back].norm()
    print(f"{back:>10} {g:>9.1e} {a:>10.1e}")
far_gru = gru_grad[0].norm() / gru_grad[n - 2].norm()
far_att = att_grad[0].norm() / att_grad[n - 2].norm()
print(f"GRU, 63 steps back / 1 step back: {far_gru:.0e}")
print(f"attention, 63 steps back / 1 step back: {far_att:.2f}")
