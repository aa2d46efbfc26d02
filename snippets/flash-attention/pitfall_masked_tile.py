# A tile in which a row sees no key: its scores are all -inf, so the running
# max stays -inf and exp(-inf - (-inf)) = exp(nan) poisons the row for good.
# The library shifts such rows by 0 instead, and divides an empty row by 1.
import math

import torch

torch.manual_seed(0)
L, S, E, B = 3, 8, 4, 4  # 3 queries, 8 keys, tiles of 4 keys
q, k, v = torch.randn(L, E), torch.randn(S, E), torch.randn(S, E)
keep = torch.ones(L, S, dtype=torch.bool)
keep[:, :4] = False  # left padding: keys 0-3 are padding, for every query
keep[2] = False  # query 2 is padding too: it may see no key at all


def tiled_row_block(guard):
    s_all = (q @ k.T / math.sqrt(E)).masked_fill(~keep, -math.inf)
    m, ell = torch.full((L, 1), -math.inf), torch.zeros(L, 1)
    acc = torch.zeros(L, E)
    for j in range(0, S, B):  # key tiles 0-3 and 4-7
        s = s_all[:, j : j + B]
        m_new = torch.maximum(m, s.amax(dim=-1, keepdim=True))
        shift = m_new
        if guard:  # as the library does: a row with no key yet shifts by 0
            shift = torch.where(m_new == -math.inf, 0.0, m_new)
        p = torch.exp(s - shift)
        fix = torch.exp(m - shift)
        ell = fix * ell + p.sum(dim=-1, keepdim=True)
        acc = fix * acc + p @ v[j : j + B]
        m = m_new
    if guard:  # a row that saw no key at all: 0 / 1 = 0, not 0 / 0
        ell = torch.where(ell == 0, 1.0, ell)
    return acc / ell


naive, guarded = tiled_row_block(guard=False), tiled_row_block(guard=True)
print("NaN rows, naive:  ", torch.isnan(naive).any(dim=-1).tolist())
print("NaN rows, guarded:", torch.isnan(guarded).any(dim=-1).tolist())
weights = torch.softmax((q @ k.T / math.sqrt(E))[:2, 4:], dim=-1)
assert torch.allclose(guarded[:2], weights @ v[4:], atol=1e-6)
print("guarded rows 0-1 equal the softmax over keys 4-7: True")
print("guarded row 2 (no key):", guarded[2].tolist())
