# What asking for the weights costs: peak memory beyond the inputs of causal
# attention at n = 1024, and the bytes at n = 131072 computed on the "meta"
# device, where tensors have shapes and dtypes but no storage.
from functools import partial

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

from attention_book import scaled_dot_product_attention
from attention_book.bench import peak_memory_bytes

torch.manual_seed(0)
torch.set_num_threads(1)  # the fused kernel keeps one work buffer per thread
B, H, n, d = 1, 2, 1024, 64
q, k, v = (torch.randn(B, H, n, d) for _ in range(3))  # (B, H, n, d)
causal = torch.ones(n, n, dtype=torch.bool).tril()  # keep-mask (n, n)
scores_mib = B * H * n * n * 4 / 2**20  # one float32 (B, H, n, n) tensor


def sdpa(**kwargs):  # PyTorch's function on q, k, v
    return F.scaled_dot_product_attention(q, k, v, **kwargs)


def math_backend():  # the same, causal, with the math backend only
    with sdpa_kernel(SDPBackend.MATH):
        return sdpa(is_causal=True)


def ours(**kwargs):  # the book's function, causal
    return scaled_dot_product_attention(q, k, v, is_causal=True, **kwargs)


calls = {
    "F.sdpa, is_causal=True": partial(sdpa, is_causal=True),
    "F.sdpa, attn_mask=causal": partial(sdpa, attn_mask=causal),
    "F.sdpa, math backend": math_backend,
    "ours, need_weights=False": partial(ours, need_weights=False),
    "ours, need_weights=True": partial(ours, need_weights=True),
}
print(f"B={B}, H={H}, n={n}, float32: one n x n tensor is {scores_mib:.0f} MiB")
print(f"{'call':<26}{'peak (MiB)':>11}{'/ n x n':>9}")
peaks = {}
with torch.inference_mode():
    for name, call in calls.items():
        peaks[name] = peak_memory_bytes(call) / 2**20
        print(f"{name:<26}{peaks[name]:>11.2f}{peaks[name] / scores_mib:>9.2f}")
assert peaks["ours, need_weights=True"] >= scores_mib  # the weights are held
assert peaks["ours, need_weights=False"] < scores_mib / 4
asked = peaks["ours, need_weights=True"] / peaks["ours, need_weights=False"]
masked = peaks["F.sdpa, attn_mask=causal"] / peaks["F.sdpa, is_causal=True"]
print(f"need_weights=True over False: {asked:.0f}x")
print(f"attn_mask=causal over is_causal=True: {masked:.1f}x")

# At n = 131072 nothing is run: on the meta device, only shapes are computed.
big = dict(device="meta", dtype=torch.float16)
q, k, v = (torch.empty(1, 32, 131072, 128, **big) for _ in range(3))
out, weights = scaled_dot_product_attention(q, k, v, is_causal=True)
print(f"n = 131072, H = 32: weights {tuple(weights.shape)}, {weights.dtype}")
print(f"bytes of the weights alone: {weights.nbytes / 2**40:.1f} TiB")
print(f"output: {out.nbytes / 2**20:.0f} MiB")
