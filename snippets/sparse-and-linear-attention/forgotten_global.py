# A classifier reads the output at position 0 (a [CLS] token). With
# block-sparse attention it sees the whole text only if the token is
# marked global.
import torch

from attention_book import block_sparse_attention, block_sparse_mask

torch.manual_seed(0)
n, d, block = 256, 16, 16
x = torch.randn(1, n, d, requires_grad=True)  # (1, n, d)

for g in [0, 1]:  # the number of global tokens at the start
    out = block_sparse_attention(x, x, x, block_size=block, num_global=g)
    (grad,) = torch.autograd.grad(out[0, 0].sum(), x)  # (1, n, d)
    seen = int((grad[0].abs().sum(-1) > 0).sum())
    print(f"num_global={g}: [CLS] depends on {seen} of {n} tokens")

# Without global tokens, how many layers until [CLS] has seen it all?
one = block_sparse_mask(n, block_size=block).int()  # (n, n), one layer
reach, layers = one.clone(), 1
while not reach[0].all():
    reach, layers = ((reach @ one) > 0).int(), layers + 1
print("layers for [CLS] to reach every token, no global token:", layers)
