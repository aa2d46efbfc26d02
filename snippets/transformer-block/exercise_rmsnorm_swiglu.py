# RMSNorm (Zhang and Sennrich, 2019) and a SwiGLU feed-forward network
# (Shazeer, 2020), as in LLaMA-style blocks.
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)
d = 48
x = torch.randn(2, 5, d)


class RMSNorm(nn.Module):  # no mean subtracted, no bias
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.weight, self.eps = nn.Parameter(torch.ones(d)), eps

    def forward(self, x):
        rms = x.pow(2).mean(-1, keepdim=True).add(self.eps).sqrt()
        return self.weight * x / rms


class SwiGLU(nn.Module):  # W2 (silu(W1 x) * (W3 x)), no biases
    def __init__(self, d, d_ff):
        super().__init__()
        self.w1 = nn.Linear(d, d_ff, bias=False)  # the gate
        self.w3 = nn.Linear(d, d_ff, bias=False)  # the value
        self.w2 = nn.Linear(d_ff, d, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


ours, theirs = RMSNorm(d), nn.RMSNorm(d, eps=1e-6)
error = (ours(x) - theirs(x)).abs().max().item()
assert error < 1e-6
print(f"RMSNorm vs torch.nn.RMSNorm: max difference {error:.1e}")


def count(module):
    return sum(p.numel() for p in module.parameters())


relu_ffn = nn.Sequential(  # the paper's FFN without biases, d_ff = 4d
    nn.Linear(d, 4 * d, bias=False), nn.ReLU(), nn.Linear(4 * d, d, bias=False)
)
swiglu = SwiGLU(d, d_ff=2 * 4 * d // 3)  # three matrices: 2/3 of 4d wide
assert count(swiglu) == count(relu_ffn)
print("parameters, ReLU FFN (d_ff = 4d):", count(relu_ffn))
print("parameters, SwiGLU (d_ff = 8d/3):", count(swiglu))
print("SwiGLU output:", tuple(swiglu(x).shape))
