# Three heads, set by hand, read three different things from one sentence.
import torch

from attention_book import MultiHeadAttention

torch.manual_seed(0)
words = "the cat sat on the mat".split()
vocab = sorted(set(words))  # ['cat', 'mat', 'on', 'sat', 'the']
L, V, d_model = len(words), len(vocab), 24
# Embedding of word i: which word (V dims), which position (L dims), a 1.
x = torch.zeros(1, L, d_model)
for i, word in enumerate(words):
    x[0, i, vocab.index(word)] = 1.0
    x[0, i, V + i] = 1.0
    x[0, i, V + L] = 1.0

mha = MultiHeadAttention(d_model=d_model, num_heads=3, bias=False)  # D = 8
Wq, Wk = mha.q_proj.weight.detach(), mha.k_proj.weight.detach()
Wv, Wo = mha.v_proj.weight.detach(), mha.out_proj.weight.detach()
for W in (Wq, Wk, Wv):
    W.zero_()
s = 4.0  # a match scores s * s / sqrt(8) = 5.7
# Head 0 (rows 0-7): query "position i - 1" meets key "position j".
Wq[0:L, V : V + L] = s * torch.diag(torch.ones(L - 1), 1)
Wk[0:L, V : V + L] = s * torch.eye(L)
# Head 1 (rows 8-15): every query asks "are you a noun?".
Wq[8, V + L] = s
Wk[8, vocab.index("cat")] = Wk[8, vocab.index("mat")] = s
# Head 2 (rows 16-23): zero query and keys: all scores tie.
for h in range(3):  # each head's value is the word's identity
    Wv[8 * h : 8 * h + V, 0:V] = torch.eye(V)
Wo.copy_(torch.eye(d_model))  # keep the concatenation as it is

out, weights = mha(x, x, x)  # (1, L, 24), (1, 3, L, L)
names = ["previous word", "nouns", "average"]
print(f"{'weights of sat':<14}", " ".join(f"{w:>4}" for w in words))
for h, name in enumerate(names):
    row = weights[0, h, words.index("sat")].tolist()
    print(f"{name:<14}", " ".join(f"{p:4.2f}" for p in row))

print("output of sat, one slice per head, read as words:")
slices = out[0, words.index("sat")].view(3, 8)[:, :V]  # (heads, V)
for name, mix in zip(names, slices.tolist(), strict=True):
    shares = zip(vocab, mix, strict=True)
    found = [f"{w} {p:.2f}" for w, p in shares if round(p, 2) > 0]
    print(f"  {name:<13}", ", ".join(found))
