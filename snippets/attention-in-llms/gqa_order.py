# Grouped-query attention expects query head h to read KV head h // group
# (heads 0-3 -> KV head 0, heads 4-7 -> KV head 1). Expanding the KV heads
# with .repeat instead of .repeat_interleave pairs them h % Hkv instead:
# no error, the shapes agree, and the output is wrong.
import torch
import torch.nn.functional as F

torch.manual_seed(0)
H, Hkv = 8, 2
group = H // Hkv
q = torch.randn(1, H, 5, 16)  # (B, H, T, D)
k, v = torch.randn(2, 1, Hkv, 5, 16).unbind(0)  # (B, Hkv, T, D)
right = F.scaled_dot_product_attention(q, k, v, enable_gqa=True)

heads = torch.arange(Hkv)  # which KV head each query head ends up reading:
print("repeat_interleave:", heads.repeat_interleave(group).tolist())
print("repeat:           ", heads.repeat(group).tolist())
for name in ("repeat_interleave", "repeat"):
    if name == "repeat":  # copies the whole stack: 0 1 0 1 0 1 0 1
        kk, vv = k.repeat(1, group, 1, 1), v.repeat(1, group, 1, 1)
    else:  # copies each head in place: 0 0 0 0 1 1 1 1
        kk, vv = k.repeat_interleave(group, 1), v.repeat_interleave(group, 1)
    out = F.scaled_dot_product_attention(q, kk, vv)
    print(f"{name + ' correct:':<26}", torch.allclose(out, right, atol=1e-6))
