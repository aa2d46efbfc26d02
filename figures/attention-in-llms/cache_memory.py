"""KV cache memory against context length: Llama-2-7B (MHA), Llama-3-8B (GQA), Mistral-7B (GQA + window)."""

import torch
from matplotlib.figure import Figure

from attention_book import KVCache, RollingKVCache
from attention_book.viz import plot_lines

CONTEXTS = [1024, 2048, 4096, 8192, 16384, 32768]
# name: (layers, KV heads, head dim, sliding window), as in snippets/attention-in-llms/cache_memory.py
MODELS = {
    "Llama-2-7B: MHA, 32 KV heads": (32, 32, 128, None),
    "Llama-3-8B: GQA, 8 KV heads": (32, 8, 128, None),
    "Mistral-7B: GQA + window 4096": (32, 8, 128, 4096),
    "MQA, 1 KV head": (32, 1, 128, None),
}


def cache_gib(layers: int, kv_heads: int, head_dim: int, tokens: int, window: int | None) -> float:
    """GiB of float16 keys and values of all layers after `tokens` positions (no storage: meta device)."""
    cache = KVCache() if window is None else RollingKVCache(window)
    k = torch.empty(1, kv_heads, tokens, head_dim, dtype=torch.float16, device="meta")
    cache.update(k, k)
    return layers * cache.nbytes / 2**30


def draw() -> Figure:
    curves = {
        name: [cache_gib(layers, kv, dim, n, window) for n in CONTEXTS]
        for name, (layers, kv, dim, window) in MODELS.items()
    }
    fig = plot_lines(
        CONTEXTS,
        curves,
        xlabel="context length (tokens)",
        ylabel="KV cache, GiB (float16)",
        logx=True,
        logy=True,
        title="KV cache of one sequence: fewer KV heads or a window shrink it",
    )
    ax = fig.axes[0]
    ax.set_xticks(CONTEXTS, [f"{n // 1024}k" for n in CONTEXTS])
    ax.set_yticks([1 / 64, 1 / 16, 1 / 4, 1, 4, 16], ["1/64", "1/16", "1/4", "1", "4", "16"])
    ax.legend(loc="upper left", fontsize=9)
    return fig
