# Cross-attention, step by step: 4 target positions read 6 source positions.
import math

import torch

from attention_book import MultiHeadAttention

torch.manual_seed(0)
B, L, S, E, H = 2, 4, 6, 24, 3  # batch, target, source, width, heads
D = E // H  # width of one head
target = torch.randn(B, L, E)  # decoder states: they ask the questions
source = torch.randn(B, S, E)  # encoder output: it holds the answers
attn = MultiHeadAttention(E, num_heads=H).eval()


def show(name: str, t: torch.Tensor) -> None:
    print(f"{name:<30} {tuple(t.shape)}")


def split(t: torch.Tensor) -> torch.Tensor:  # (B, n, E) -> (B, H, n, D)
    return t.view(B, -1, H, D).transpose(1, 2)


with torch.no_grad():
    show("target (B, L, E)", target)
    show("source (B, S, E)", source)
    q = split(attn.q_proj(target))  # queries from the target
    k = split(attn.k_proj(source))  # keys and values from the source
    v = split(attn.v_proj(source))
    show("queries (B, H, L, D)", q)
    show("keys (B, H, S, D)", k)
    show("values (B, H, S, D)", v)
    scores = q @ k.transpose(-2, -1) / math.sqrt(D)
    show("scores (B, H, L, S)", scores)
    weights = torch.softmax(scores, dim=-1)  # over the S source positions
    heads = weights @ v
    show("per-head outputs (B, H, L, D)", heads)
    merged = heads.transpose(1, 2).reshape(B, L, E)
    out = attn.out_proj(merged)
    show("output (B, L, E)", out)

    # The module does all of this when key and value differ from the query.
    out_module, w_module = attn(target, source, source)
    assert torch.allclose(out, out_module, atol=1e-6)
    assert torch.allclose(weights, w_module, atol=1e-6)
    print(f"max |by hand - module|: {(out - out_module).abs().max():.1e}")
    sums_to_one = torch.allclose(weights.sum(dim=-1), torch.ones(B, H, L))
    print("each query's weights over the source sum to 1:", sums_to_one)
