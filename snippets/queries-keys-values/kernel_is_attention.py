# The Gaussian-kernel weights are a softmax of scores, and those scores are
# dot-product attention with one extra term per key.
import torch

from attention_book import scaled_dot_product_attention
from attention_book.tasks.kernel_regression import make_data

torch.manual_seed(0)
data = make_data(n_train=50, seed=0)
x, xj, yj = data.x_test, data.x_train, data.y_train  # (L,), (S,), (S,)
w = 0.3

# 1. Nadaraya-Watson as a statistician writes it: kernel over sum of kernels.
kernel = torch.exp(-((x[:, None] - xj[None, :]) ** 2) / (2 * w**2))  # (L, S)
nw_weights = kernel / kernel.sum(dim=1, keepdim=True)
nw = nw_weights @ yj  # (L,)

# 2. The same weights as a softmax of scores: attention weights.
scores = -((x[:, None] - xj[None, :]) ** 2) / (2 * w**2)  # (L, S)
weights = torch.softmax(scores, dim=1)
print(f"max |kernel ratio - softmax|: {(nw_weights - weights).abs().max():.1e}")

# 3. Expand the square: -(x - xj)^2/2w^2 = (x/w)(xj/w) - xj^2/2w^2 - x^2/2w^2.
# The last term is the same for every key, so the softmax ignores it.
q = (x / w)[:, None]  # (L, 1) queries: the test inputs
k = (xj / w)[:, None]  # (S, 1) keys: the training inputs
v = yj[:, None]  # (S, 1) values: the training targets
key_bias = -(xj**2)[None, :] / (2 * w**2)  # (1, S)
out, att = scaled_dot_product_attention(q, k, v, bias=key_bias, scale=1.0)
assert torch.allclose(att, nw_weights, atol=1e-5)
assert torch.allclose(out[:, 0], nw, atol=1e-5)
print(f"max |attention - Nadaraya-Watson|: {(out[:, 0] - nw).abs().max():.1e}")
shapes = {"queries": q, "keys": k, "values": v, "weights": att}
print("  ".join(f"{name} {tuple(t.shape)}" for name, t in shapes.items()))
