# The sinusoidal encoding of Vaswani et al. (2017): one sine/cosine pair
# per frequency. Moving k positions is one fixed rotation, so the dot
# product of two positions depends on their offset only.
import math

import torch

from attention_book import sinusoidal_encoding

torch.manual_seed(0)
T, d = 2048, 128
pe = sinusoidal_encoding(T, d)  # (T, d): row p encodes position p
omega = 10000.0 ** (-torch.arange(0, d, 2) / d)  # (d/2,) frequencies
print("encoding shape:", tuple(pe.shape))
print(f"shortest wavelength: {2 * math.pi / omega[0]:.2f} positions")
print(f"longest wavelength: {2 * math.pi / omega[-1]:.0f} positions")

# PE[p + k] = M_k PE[p]: a 2x2 rotation per pair, the same for every p
k = 5
c, s = torch.cos(k * omega), torch.sin(k * omega)  # (d/2,) each
pairs = torch.stack([c, s, -s, c], dim=-1).view(-1, 2, 2)  # (d/2, 2, 2)
M_k = torch.block_diag(*pairs)  # (d, d)
assert torch.allclose(pe[k:], pe[:-k] @ M_k.T, atol=1e-3)
print("PE[p + 5] = M_5 PE[p] for every p:", True)

# hence PE[p] . PE[p + k] = sum_i cos(k omega_i), whatever p is
for k in (0, 1, 4, 16, 64, 256, 1024):
    dots = torch.stack([pe[p] @ pe[p + k] for p in (0, 100, 900)])
    assert torch.allclose(dots, torch.cos(k * omega).sum(), atol=1e-2)
    print(f"dot product at offset {k}: {dots[0]:.2f}")
