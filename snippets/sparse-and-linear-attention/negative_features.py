# The feature map must keep phi(q) . phi(k) positive. Without that the
# "weights" of a row can sum to zero or less, and the output explodes.
import torch
import torch.nn.functional as F

from attention_book.efficient import elu_feature_map

torch.manual_seed(0)
n, d = 256, 4
q, k, v = torch.randn(3, n, d).unbind(0)  # (n, d) each


def linear_attention_with(phi, q, k, v):  # eps = 0, to see the failure
    phi_q, phi_k = phi(q), phi(k)  # (n, m)
    denominator = phi_q @ phi_k.sum(0)  # (n,): the row sums of weights
    return (phi_q @ (phi_k.T @ v)) / denominator[:, None], denominator


print("largest |value|:", f"{v.abs().max():.2f}")
feature_maps = {
    "elu + 1": elu_feature_map,
    "identity": lambda x: x,
    "relu": F.relu,
}
for name, phi in feature_maps.items():
    out, den = linear_attention_with(phi, q, k, v)
    bad = int((den <= 0).sum())
    largest = out[out.isfinite()].abs().max()
    nan_rows = int(out.isnan().any(-1).sum())
    print(
        f"{name:<8} denominators <= 0: {bad:>3}",
        f"  largest |output|: {largest:7.2f}",
        f"  NaN rows: {nan_rows}",
    )
