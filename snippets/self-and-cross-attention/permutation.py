# Self-attention does not know where a token is: permuting the input
# permutes the output, and nothing else changes.
import torch

from attention_book import MultiHeadAttention, sinusoidal_encoding

torch.manual_seed(0)
L, E = 6, 16
attn = MultiHeadAttention(E, num_heads=2).eval()
x = torch.randn(1, L, E)  # (B, L, E)
perm = torch.randperm(L)  # a new order of the positions
print("permutation:", perm.tolist())

with torch.no_grad():
    out, _ = attn(x)
    out_of_permuted, _ = attn(x[:, perm])  # attention(P x)
    diff = (out_of_permuted - out[:, perm]).abs().max()  # vs P attention(x)
    assert torch.allclose(out_of_permuted, out[:, perm], atol=1e-6)
    print(f"max |attn(P x) - P attn(x)|: {diff:.1e}")

    # Consequence: "dog bites man" and "man bites dog" give "dog" the
    # same vector. Adding a position encoding tells the two apart.
    vocab = {w: torch.randn(E) for w in ("dog", "bites", "man")}
    a = torch.stack([vocab[w] for w in ("dog", "bites", "man")])[None]
    b = torch.stack([vocab[w] for w in ("man", "bites", "dog")])[None]
    dog_a, dog_b = attn(a)[0][0, 0], attn(b)[0][0, 2]
    print(f"'dog', no positions, difference: {(dog_a - dog_b).norm():.1e}")
    pe = sinusoidal_encoding(3, E)  # (3, E), added to the embeddings
    dog_a, dog_b = attn(a + pe)[0][0, 0], attn(b + pe)[0][0, 2]
    print(f"'dog', with positions, difference: {(dog_a - dog_b).norm():.2f}")
