# Without positions, an encoder block does not know the order of its input:
# permute the tokens and the output is permuted the same way. A causal
# decoder block does know it.
import torch

from attention_book import DecoderBlock, EncoderBlock

torch.manual_seed(0)
x, memory = torch.randn(1, 6, 16), torch.randn(1, 4, 16)
perm = torch.randperm(6)
encoder = EncoderBlock(16, 4, 64).eval()
decoder = DecoderBlock(16, 4, 64).eval()
with torch.no_grad():
    enc = encoder(x[:, perm]), encoder(x)[:, perm]
    dec = (decoder(x[:, perm], memory, tgt_is_causal=True),
           decoder(x, memory, tgt_is_causal=True)[:, perm])  # fmt: skip
print("permutation:", perm.tolist())
print("encoder: f(x permuted) == f(x) permuted:",
      torch.allclose(*enc, atol=1e-6))  # fmt: skip
print("causal decoder: f(x permuted) == f(x) permuted:",
      torch.allclose(*dec, atol=1e-6))  # fmt: skip
