# Starting the running max at 0 instead of -inf: still exact in theory (any
# shift cancels), but when every score is far below 0, exp() underflows to 0
# in every block, the denominator stays 0, and 0 / 0 is NaN.
import math

import torch

torch.manual_seed(0)
v = torch.randn(8, 2)
scores = torch.randn(8)


def online(s, v, m_start, block=4):
    m = torch.tensor(m_start, dtype=s.dtype)
    ell = torch.tensor(0.0, dtype=s.dtype)
    acc = torch.zeros(v.shape[1], dtype=s.dtype)
    for start in range(0, len(s), block):
        s_blk, v_blk = s[start : start + block], v[start : start + block]
        m_new = torch.maximum(m, s_blk.max())
        fix = torch.exp(m - m_new)
        p = torch.exp(s_blk - m_new)
        ell = fix * ell + p.sum()
        acc = fix * acc + p @ v_blk
        m = m_new
    return acc / ell


for dtype, shift in ((torch.float32, -120.0), (torch.float16, -20.0)):
    s, vv = (scores + shift).to(dtype), v.to(dtype)  # every score ~ shift
    good = online(s, vv, m_start=float("-inf"))
    bad = online(s, vv, m_start=0.0)
    full = torch.softmax(s.float(), dim=0) @ v
    assert torch.allclose(good.float(), full, atol=1e-2)
    name = str(dtype).removeprefix("torch.")
    print(f"{name}, scores near {shift:.0f}:")
    print(f"  m starts at -inf: {[round(x, 3) for x in good.tolist()]}")
    print(f"  m starts at 0:    {bad.tolist()}")

tiny = torch.finfo(torch.float16).smallest_normal * 2**-10  # least subnormal
print(f"e^s rounds to 0 in float16 below s = {math.log(tiny / 2):.1f}")
