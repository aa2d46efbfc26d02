# The base Transformer: 6 encoder and 6 decoder blocks, d_model = 512,
# d_ff = 2048, one 37,000-token embedding matrix shared by the source,
# the target and the output layer (Vaswani et al., 2017).
from attention_book import Transformer

d, d_ff, N, vocab = 512, 2048, 6, 37_000
encoder_block = 4 * d * d + 2 * d * d_ff + 9 * d + d_ff
decoder_block = 8 * d * d + 2 * d * d_ff + 15 * d + d_ff
shared_embedding = vocab * d
total = N * (encoder_block + decoder_block) + shared_embedding
print(f"blocks: {N * (encoder_block + decoder_block):,}")
print(f"shared embedding: {shared_embedding:,}")
print(f"total by the formula: {total / 1e6:.1f} million (the paper: 65)")

# The library's Transformer keeps three separate vocab x d matrices and
# an output bias; take the two extra copies and the bias away.
model = Transformer(vocab, d, 8, d_ff, N)
counted = sum(p.numel() for p in model.parameters())
counted -= 2 * vocab * d + vocab
assert counted == total
print(f"counted in attention_book.Transformer: {counted:,}")
