# Encoder-decoder attention on a toy translation: the French words (queries)
# look up the English words (keys and values). The embeddings are made by
# hand so that a word and its translation point the same way; a trained
# model learns such embeddings and projections from data.
import torch

from attention_book import scaled_dot_product_attention

torch.manual_seed(0)
source = ["the", "black", "cat", "sat", "down"]  # encoder side, S = 5
target = ["le", "chat", "noir", "s'assit"]  # decoder side, L = 4
E = 8  # 4 "meaning" dimensions, then 4 dimensions of noise
meaning = {  # article, black, cat, sitting
    "the": [3, 0, 0, 0], "black": [0, 3, 0, 0],
    "cat": [0, 0, 3, 0], "sat": [0, 0, 0, 3], "down": [0, 0, 0, 2],
    "le": [3, 0, 2, 0],  # "le", not "la", because "chat" is masculine
    "chat": [0, 0, 3, 0], "noir": [0, 3, 0, 0], "s'assit": [0, 0, 0, 3],
}  # fmt: skip


def embed(words: list[str]) -> torch.Tensor:
    rows = [meaning[w] + [0.0] * 4 for w in words]
    return torch.tensor(rows) + 0.4 * torch.randn(len(words), E)


src = embed(source)[None]  # (1, S, E): the encoder's output
tgt = embed(target)[None]  # (1, L, E): the decoder's states
out, weights = scaled_dot_product_attention(tgt, src, src)
print("queries:", tuple(tgt.shape), " keys and values:", tuple(src.shape))
print("weights:", tuple(weights.shape), " output:", tuple(out.shape))
print(" " * 8 + "".join(f"{w:>7}" for w in source))
for word, row in zip(target, weights[0], strict=True):
    print(f"{word:<8}" + "".join(f"{p:>7.2f}" for p in row))
best = [source[int(i)] for i in weights[0].argmax(dim=-1)]  # one per query
pairs = [f"{t}->{s}" for t, s in zip(target, best, strict=True)]
print("strongest link:", ", ".join(pairs))

# A causal mask does not belong here: the whole source is known. By mistake,
# it hides "cat" (position 2) from "chat" (position 1).
_, wrong = scaled_dot_product_attention(tgt, src, src, is_causal=True)
row = " ".join(f"{p:.2f}" for p in wrong[0, 1])
print("is_causal=True by mistake, chat:", row)
