# Scaling every phi(k_j) by the same constant c scales numerator and
# denominator alike: the output does not change. With c = 1/n the
# running sums stay small enough for float16.
import torch

from attention_book.efficient import elu_feature_map


def causal_linear(q, k, v, c: float) -> torch.Tensor:
    phi_q, phi_k = elu_feature_map(q), c * elu_feature_map(k)  # (n, d)
    kv = torch.cumsum(phi_k[:, :, None] * v[:, None, :], dim=0)  # (n,d,d)
    z = torch.cumsum(phi_k, dim=0)  # (n, d)
    numerator = torch.einsum("nd,nde->ne", phi_q, kv)
    return numerator / (phi_q * z).sum(-1, keepdim=True)


torch.manual_seed(0)
n, d = 4096, 64
q, k, v = torch.randn(3, n, d).unbind(0)
exact = causal_linear(q.double(), k.double(), v.double(), c=1.0)
for c in [1.0, 1 / n]:
    half = causal_linear(q.half(), k.half(), v.half(), c=c)
    error = (half.double() - exact).abs().max()
    print(f"float16 with c = {c:.6f}: largest error {error:.1e}")
