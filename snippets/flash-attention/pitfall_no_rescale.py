# Forgetting to rescale: the sums of earlier blocks stay measured against an
# old maximum. The bug is silent when a row's maximum is in its first block,
# so a test on one lucky row does not catch it.
import torch

torch.manual_seed(0)
v = torch.randn(8, 2)  # one value row (width 2) per key


def online(s, v, rescale=True, block=3):
    m, ell = torch.tensor(float("-inf")), torch.tensor(0.0)
    acc = torch.zeros(v.shape[1])
    for start in range(0, len(s), block):
        s_blk, v_blk = s[start : start + block], v[start : start + block]
        m_new = torch.maximum(m, s_blk.max())
        fix = torch.exp(m - m_new) if rescale else 1.0  # the bug: no fix
        p = torch.exp(s_blk - m_new)
        ell = fix * ell + p.sum()
        acc = fix * acc + p @ v_blk
        m = m_new
    return acc / ell


rows = {
    "max in the first block": torch.tensor([6.0, 3, 0.5, 4, -1, 2, 1, 0]),
    "max in the last block": torch.tensor([1.0, 3, 0.5, 4, -1, 2, 6, 0]),
}
for name, s in rows.items():
    full = torch.softmax(s, dim=0) @ v
    assert torch.allclose(online(s, v), full, atol=1e-6)
    error = (online(s, v, rescale=False) - full).abs().max()
    print(f"{name}: error without the rescale = {error:.3f}")
