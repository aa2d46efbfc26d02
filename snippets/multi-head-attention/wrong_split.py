# A classic bug: view(B, H, L, D) without the transpose. It runs, and leaks.
import torch

from attention_book import MultiHeadAttention, causal_mask

torch.manual_seed(0)
B, L, d_model, H = 1, 6, 32, 4
D = d_model // H
mha = MultiHeadAttention(d_model=d_model, num_heads=H)


def attend(x, split):
    q, k, v = (split(p(x)) for p in (mha.q_proj, mha.k_proj, mha.v_proj))
    scores = q @ k.transpose(-2, -1) / D**0.5
    scores = scores.masked_fill(~causal_mask(L), float("-inf"))
    heads = scores.softmax(dim=-1) @ v  # (B, H, L, D)
    return mha.out_proj(heads.transpose(1, 2).reshape(B, L, d_model))


def right(t):  # (B, L, H * D) -> (B, L, H, D) -> (B, H, L, D)
    return t.view(B, L, H, D).transpose(1, 2)


def wrong(t):  # same shape, but rows now mix positions
    return t.view(B, H, L, D)


x = torch.randn(B, L, d_model)
later = x.clone()
later[:, -1] += 1.0  # change only the LAST token
for name, split in (("right", right), ("wrong", wrong)):
    moved = (attend(later, split) - attend(x, split))[0].abs().amax(-1)
    positions = (moved > 1e-6).nonzero().flatten().tolist()
    print(f"{name}: outputs that change: positions {positions}")
