# Which kernel does each call reach? The profiler records the operators that
# ran; the name of the scaled-dot-product operator says which backend it was.
from functools import partial

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.profiler import ProfilerActivity, profile

from attention_book import scaled_dot_product_attention

KERNELS = {  # operator -> backend (the last three exist on CUDA only)
    "aten::_scaled_dot_product_flash_attention_for_cpu": "flash (CPU)",
    "aten::_scaled_dot_product_attention_math": "math: n x n",
    "aten::_scaled_dot_product_flash_attention": "flash (CUDA)",
    "aten::_scaled_dot_product_efficient_attention": "memory-efficient",
    "aten::_scaled_dot_product_cudnn_attention": "cuDNN",
}


def backend(call) -> str:
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        call()
    names = {event.name for event in prof.events()}
    found = [kernel for op, kernel in KERNELS.items() if op in names]
    if not found and "aten::bmm" in names:  # scores as a batched matmul
        return "none: n x n scores"
    return ", ".join(found)


torch.manual_seed(0)
B, H, n, d = 1, 2, 128, 16
q, k, v = (torch.randn(B, H, n, d) for _ in range(3))  # (B, H, n, d)
causal = torch.ones(n, n, dtype=torch.bool).tril()  # keep-mask (n, n)
mha = torch.nn.MultiheadAttention(H * d, H, batch_first=True).eval()
x = torch.randn(B, n, H * d)  # (B, n, E)


def sdpa(**kwargs):  # PyTorch's function on q, k, v
    return F.scaled_dot_product_attention(q, k, v, **kwargs)


def math_only(**kwargs):  # the same, with the math backend only
    with sdpa_kernel(SDPBackend.MATH):
        return sdpa(**kwargs)


def ours(**kwargs):  # the book's function, causal
    return scaled_dot_product_attention(q, k, v, is_causal=True, **kwargs)


calls = {
    "F.sdpa(q, k, v)": sdpa,
    "F.sdpa(..., is_causal=True)": partial(sdpa, is_causal=True),
    "F.sdpa(..., attn_mask=causal)": partial(sdpa, attn_mask=causal),
    "F.sdpa(..., dropout_p=0.1)": partial(sdpa, dropout_p=0.1),
    "sdpa_kernel(MATH): F.sdpa(...)": math_only,
    "ours, need_weights=False": partial(ours, need_weights=False),
    "ours, need_weights=True": partial(ours, need_weights=True),
    "mha(x, x, x)": partial(mha, x, x, x),  # mha = nn.MultiheadAttention
    "mha(..., need_weights=False)": partial(mha, x, x, x, need_weights=False),
}
for name, call in calls.items():
    print(f"{name:<39}{backend(call)}")
with torch.no_grad():  # inference: nn.MultiheadAttention takes its "fast path"
    kernel = backend(partial(mha, x, x, x, need_weights=False))
    print(f"{'no_grad: mha(..., need_weights=False)':<39}{kernel}")

fused = sdpa(is_causal=True)
assert torch.allclose(fused, math_only(is_causal=True), atol=1e-6)
assert torch.allclose(fused, ours(need_weights=True)[0], atol=1e-6)
print("flash, math and ours agree to 1e-6: True")
