# Two encoder blocks (attention, feed-forward, LayerNorm) cannot see
# order: permuting the tokens permutes the outputs, nothing else changes.
import torch

from attention_book import EncoderBlock, sinusoidal_encoding

torch.manual_seed(0)
T, E = 6, 16
encoder = torch.nn.Sequential(
    EncoderBlock(E, num_heads=2, d_ff=32),
    EncoderBlock(E, num_heads=2, d_ff=32),
).eval()
x = torch.randn(1, T, E)  # (B, T, E): six token embeddings
perm = torch.randperm(T)  # a new order of the same tokens
print("permutation:", perm.tolist())

with torch.no_grad():
    # f(P x) = P f(x): the stack is permutation-equivariant
    gap = (encoder(x[:, perm]) - encoder(x)[:, perm]).abs().max()
    assert gap < 1e-5
    print(f"no positions, max |f(P x) - P f(x)|: {gap:.1e}")

    # so a sentence vector (the mean over tokens) ignores the order
    mean, mean_perm = encoder(x).mean(1), encoder(x[:, perm]).mean(1)
    assert torch.allclose(mean, mean_perm, atol=1e-5)
    print("same mean vector for both orders:", True)

    # a position encoding, added to the embeddings, breaks the symmetry
    pe = sinusoidal_encoding(T, E)  # (T, E), the same for every order
    out, out_perm = encoder(x + pe), encoder(x[:, perm] + pe)
    gap = (out_perm - out[:, perm]).abs().max()
    assert gap > 0.1
    print(f"with positions, max |f(P x + PE) - P f(x + PE)|: {gap:.2f}")
