# Learned position embeddings (BERT, GPT-2): a trainable table with one
# row per position, added to the token embeddings. Rows stop at max_len.
import torch

from attention_book import LearnedPositionalEmbedding

torch.manual_seed(0)
max_len, d = 512, 768  # BERT-base's table
positions = LearnedPositionalEmbedding(max_len, d)
table = positions.embedding.weight  # (max_len, d)
print("table shape:", tuple(table.shape))
print("learned parameters:", table.numel())

x = torch.randn(2, 10, d)  # (B, T, d) token embeddings
y = positions(x)  # adds rows 0 .. 9
assert torch.allclose(y - x, table[:10].expand(2, -1, -1), atol=1e-6)
print("added rows 0..9 to both sequences:", True)

try:  # one token more than the table holds
    positions(torch.randn(1, max_len + 1, d))
except ValueError as error:
    print("513 tokens:", error)
