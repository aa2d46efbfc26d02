# Tiled attention by hand, in the loop order of the library's tiled_attention:
# for each block of queries, walk over the key blocks with the online softmax.
# Causal attention skips the tiles above the diagonal.
import math

import torch

from attention_book.efficient import tiled_attention

torch.manual_seed(0)
n, d, B = 16, 8, 4  # 16 positions, width 8, tiles of 4 x 4 (B divides n)
q, k, v = (torch.randn(n, d) for _ in range(3))  # (n, d) each


def tiled(q, k, v, causal):
    out, tiles = torch.empty(n, d), 0
    for i in range(0, n, B):  # query block: rows i .. i+B-1
        qi = q[i : i + B] / math.sqrt(d)  # (B, d), kept on chip
        m = torch.full((B, 1), -math.inf)  # running max         (B, 1)
        ell = torch.zeros(B, 1)  # running denominator           (B, 1)
        acc = torch.zeros(B, d)  # running weighted sum          (B, d)
        last = i + B if causal else n  # causal: no key after row i+B-1
        for j in range(0, last, B):  # key block: columns j .. j+B-1
            s = qi @ k[j : j + B].T  # (B, B): the only scores that exist
            if causal and j + B - 1 > i:  # this tile crosses the diagonal
                later = torch.arange(j, j + B) > torch.arange(i, i + B)[:, None]
                s = s.masked_fill(later, -math.inf)
            m_new = torch.maximum(m, s.amax(dim=-1, keepdim=True))
            p = torch.exp(s - m_new)  # (B, B)
            rescale = torch.exp(m - m_new)  # (B, 1)
            ell = rescale * ell + p.sum(dim=-1, keepdim=True)
            acc = rescale * acc + p @ v[j : j + B]
            m = m_new
            tiles += 1
        out[i : i + B] = acc / ell
    return out, tiles


for causal in (False, True):
    ours, tiles = tiled(q, k, v, causal)
    lib = tiled_attention(q, k, v, block_size=B, is_causal=causal)
    s = q @ k.T / math.sqrt(d)  # the full (n, n) matrix, for checking only
    if causal:
        s = s.masked_fill(torch.ones(n, n).triu(1).bool(), -math.inf)
    full = torch.softmax(s, dim=-1) @ v
    assert torch.allclose(ours, full, atol=1e-6)
    assert torch.allclose(ours, lib, atol=1e-6)
    name = "causal" if causal else "full"
    print(
        f"{name:<6}: {tiles:>2} of {(n // B) ** 2} tiles, "
        f"max |ours - full| {(ours - full).abs().max():.1e}, "
        f"max |ours - lib| {(ours - lib).abs().max():.1e}"
    )
