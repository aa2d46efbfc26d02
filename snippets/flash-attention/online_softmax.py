# The online softmax: one pass over a row of scores, three at a time, keeping
# a running max m, a running denominator ell and a running weighted sum acc.
import torch

torch.manual_seed(0)
s = torch.tensor([1.0, 3.0, 0.5, 4.0, -1.0, 2.0, 6.0, 0.0])  # a row of scores
v = torch.randn(8, 2)  # one value row (width 2) per key
block = 3


def fmt(x: torch.Tensor) -> str:
    return "[" + ", ".join(f"{float(e):+.4f}" for e in x.flatten()) + "]"


m = torch.tensor(float("-inf"))  # running max: nothing seen yet
ell = torch.tensor(0.0)  # running denominator: sum of e^(s_j - m)
acc = torch.zeros(2)  # running numerator: sum of e^(s_j - m) v_j
for start in range(0, len(s), block):
    s_blk, v_blk = s[start : start + block], v[start : start + block]
    m_new = torch.maximum(m, s_blk.max())
    rescale = torch.exp(m - m_new)  # puts the old sums on the new max
    p = torch.exp(s_blk - m_new)  # this block's unnormalised weights
    ell = rescale * ell + p.sum()
    acc = rescale * acc + p @ v_blk
    m = m_new
    print(
        f"keys {start}-{start + len(s_blk) - 1}: m = {m.item():.1f}  "
        f"rescale = {rescale.item():.4f}  ell = {ell.item():.4f}  "
        f"acc = {fmt(acc)}"
    )

online = acc / ell  # divide once, at the end
full = torch.softmax(s, dim=0) @ v  # the usual two-pass answer
print("online :", fmt(online))
print("softmax:", fmt(full))
assert torch.allclose(online, full, atol=1e-6)
print(
    f"log-sum-exp m + log ell = {(m + ell.log()).item():.4f}, "
    f"torch.logsumexp = {torch.logsumexp(s, 0).item():.4f}"
)
