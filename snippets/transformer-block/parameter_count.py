# Parameters of one block of the base Transformer, counted and checked
# against the formula in d_model and d_ff, and against PyTorch's layers.
from torch import nn

from attention_book import DecoderBlock, EncoderBlock

d, d_ff, H = 512, 2048, 8  # the base model of Vaswani et al. (2017)


def count(module):
    return sum(p.numel() for p in module.parameters())


attention = 4 * (d * d + d)  # W_Q, W_K, W_V, W_O and their biases
ffn = (d * d_ff + d_ff) + (d_ff * d + d)  # two linear layers
norm = 2 * d  # gamma and beta
encoder_formula = attention + ffn + 2 * norm  # = 4d^2 + 2 d d_ff + 9d + d_ff
decoder_formula = 2 * attention + ffn + 3 * norm

encoder, decoder = EncoderBlock(d, H, d_ff), DecoderBlock(d, H, d_ff)
assert count(encoder) == encoder_formula
assert count(encoder) == count(nn.TransformerEncoderLayer(d, H, d_ff))
assert count(decoder) == decoder_formula
assert count(decoder) == count(nn.TransformerDecoderLayer(d, H, d_ff))
print(f"encoder block parameters: {count(encoder):,}")
print(f"decoder block parameters: {count(decoder):,}")
print(f"feed-forward share of the encoder block: {ffn / count(encoder):.1%}")
print(f"attention share of the encoder block: {attention / count(encoder):.1%}")
print(f"LayerNorm share of the encoder block: {2 * norm / count(encoder):.2%}")
