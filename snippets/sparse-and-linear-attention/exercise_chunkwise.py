# Chunkwise causal linear attention: the masked quadratic form inside
# each chunk of C tokens, a (d, d) state carried across chunks.
import torch

from attention_book import causal_mask, linear_attention
from attention_book.efficient import elu_feature_map


def chunkwise(q, k, v, chunk: int) -> torch.Tensor:
    phi_q, phi_k = elu_feature_map(q), elu_feature_map(k)  # (n, d)
    state = q.new_zeros(q.size(-1), v.size(-1))  # sum of phi(k) v^T so far
    z = q.new_zeros(q.size(-1))  # sum of phi(k) so far
    outputs = []
    for start in range(0, q.size(0), chunk):
        rows = slice(start, start + chunk)
        pq, pk, vc = phi_q[rows], phi_k[rows], v[rows]
        inside = (pq @ pk.T) * causal_mask(len(pq))  # (C, C)
        numerator = pq @ state + inside @ vc  # past chunks + this one
        denominator = pq @ z + inside.sum(-1)
        outputs.append(numerator / denominator[:, None])
        state, z = state + pk.T @ vc, z + pk.sum(0)
    return torch.cat(outputs)


torch.manual_seed(0)
q, k, v = torch.randn(3, 100, 8, dtype=torch.float64).unbind(0)
reference = linear_attention(q, k, v, causal=True, eps=0.0)
for chunk in [1, 16, 100]:
    out = chunkwise(q, k, v, chunk)
    assert torch.allclose(out, reference)
    print(f"chunk {chunk:>3}: equal to linear_attention(causal=True): True")
