# The backward pass without the n x n weights: the forward pass keeps one
# number per query, the log-sum-exp, and the backward pass recomputes each
# tile of weights from it, exactly. Checked against autograd.
import math

import torch

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
n, d, B = 12, 8, 4  # 12 positions, width 8, tiles of 4 x 4
scale = 1 / math.sqrt(d)
q, k, v = (torch.randn(n, d) for _ in range(3))  # (n, d) each
d_out = torch.randn(n, d)  # the gradient of the loss with respect to O


def forward(q, k, v):
    out, lse = torch.empty(n, d), torch.empty(n, 1)
    for i in range(0, n, B):
        m, ell = torch.full((B, 1), -math.inf), torch.zeros(B, 1)
        acc = torch.zeros(B, d)
        for j in range(0, n, B):
            s = q[i : i + B] @ k[j : j + B].T * scale  # (B, B)
            m_new = torch.maximum(m, s.amax(dim=-1, keepdim=True))
            p, rescale = torch.exp(s - m_new), torch.exp(m - m_new)
            ell = rescale * ell + p.sum(dim=-1, keepdim=True)
            acc, m = rescale * acc + p @ v[j : j + B], m_new
        out[i : i + B], lse[i : i + B] = acc / ell, m + torch.log(ell)
    return out, lse  # O (n, d) and the log-sum-exp (n, 1): no (n, n) tensor


def backward(q, k, v, out, lse, d_out):
    dq, dk, dv = torch.zeros(n, d), torch.zeros(n, d), torch.zeros(n, d)
    D = (d_out * out).sum(dim=-1, keepdim=True)  # (n, 1): rowsum(dO * O)
    for j in range(0, n, B):  # key block j: dK_j and dV_j accumulate
        kj, vj = k[j : j + B], v[j : j + B]
        for i in range(0, n, B):  # query block i
            qi, d_oi = q[i : i + B], d_out[i : i + B]
            s = qi @ kj.T * scale  # the scores again, (B, B)
            p = torch.exp(s - lse[i : i + B])  # the exact weights, again
            dv[j : j + B] += p.T @ d_oi
            ds = p * (d_oi @ vj.T - D[i : i + B])  # softmax backward
            dq[i : i + B] += ds @ kj * scale
            dk[j : j + B] += ds.T @ qi * scale
    return dq, dk, dv


out, lse = forward(q, k, v)
grads = backward(q, k, v, out, lse, d_out)

qa, ka, va = (t.clone().requires_grad_() for t in (q, k, v))
reference = torch.softmax(qa @ ka.T * scale, dim=-1) @ va  # explicit
reference.backward(d_out)  # autograd, which stores the (n, n) weights
assert torch.allclose(out, reference)
autograd = (qa.grad, ka.grad, va.grad)
for name, ours, auto in zip("qkv", grads, autograd, strict=True):
    assert torch.allclose(ours, auto, atol=1e-12)
    print(f"d{name}: equal to autograd's (to 1e-12)")
print(f"kept for backward: the log-sum-exp, {lse.numel()} numbers")
print(f"not kept: the weights P, {n * n} numbers")
