# How much gradient passes through the softmax at the raw and at the scaled
# scores of four_scores.py? Measured twice: the Jacobian, and a real loss.
import math

import torch

torch.manual_seed(0)
scores = torch.tensor([25.3, 2.1, -18.7, 31.2])  # q . k for four keys
d_k = 64


def softmax(z: torch.Tensor) -> torch.Tensor:
    return torch.softmax(z, dim=-1)


def softmax_jacobian(z: torch.Tensor) -> torch.Tensor:
    p = torch.softmax(z, dim=-1)  # (S,)
    return torch.diag(p) - torch.outer(p, p)  # (S, S): d p_i / d z_j


norms = {}
for name, z in (("raw", scores), ("scaled", scores / math.sqrt(d_k))):
    jacobian = softmax_jacobian(z)
    autograd = torch.autograd.functional.jacobian(softmax, z)
    assert torch.allclose(jacobian, autograd, atol=1e-6)
    norms[name] = torch.linalg.matrix_norm(jacobian).item()  # Frobenius
    print(f"Jacobian norm, {name}: {norms[name]:.4f}")
ratio = norms["scaled"] / norms["raw"]
print(f"Jacobian norm ratio, scaled / raw: {ratio:.0f}")

# A loss on the attention output. One-hot values make the output equal to
# the weights; the target asks for key 0 to win instead of key 3.
values = torch.eye(4)  # (S, d_v)
target = values[0]
grads = {}
for name, scale in (("raw", 1.0), ("scaled", 1 / math.sqrt(d_k))):
    s = scores.clone().requires_grad_()
    output = torch.softmax(s * scale, dim=-1) @ values  # (d_v,)
    loss = 0.5 * (output - target).pow(2).sum()
    loss.backward()
    grads[name] = s.grad.norm().item()  # the gradient that reaches q . k
    print(f"gradient reaching q.k, {name}: {grads[name]:.5f}")
ratio = grads["scaled"] / grads["raw"]
print(f"gradient ratio, scaled / raw: {ratio:.1f}")
