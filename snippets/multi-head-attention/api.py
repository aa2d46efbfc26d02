# MultiHeadAttention in its four everyday uses: self, cross, causal, padding.
import torch

from attention_book import MultiHeadAttention, padding_mask

torch.manual_seed(0)
attention = MultiHeadAttention(d_model=512, num_heads=8)
batch, seq_len, d_model = 2, 10, 512
x = torch.randn(batch, seq_len, d_model)


def report(use, output, weights):
    shapes = f"output {tuple(output.shape)}, weights {tuple(weights.shape)}"
    print(f"{use:<8}", shapes)


# 1. Self-attention: the sequence attends to itself.
output, weights = attention(query=x, key=x, value=x)
report("self", output, weights)

# 2. Cross-attention: 7 decoder positions read 10 encoder positions.
memory = torch.randn(batch, seq_len, d_model)  # e.g. an encoder's output
target = torch.randn(batch, 7, d_model)  # e.g. a decoder's states
output, weights = attention(query=target, key=memory, value=memory)
report("cross", output, weights)

# 3. Causal: position i sees positions 0..i (1 = may attend).
causal = torch.tril(torch.ones(seq_len, seq_len))
output, weights = attention(query=x, key=x, value=x, mask=causal)
report("causal", output, weights)
print("causal, weight on future keys:", weights.triu(diagonal=1).sum().item())

# 4. Padding: sequence 1 has only 6 real tokens; keys 6..9 are padding.
keep = padding_mask(torch.tensor([10, 6]), max_len=seq_len)  # (B, 1, S)
output, weights = attention(query=x, key=x, value=x, mask=keep)
report("padding", output, weights)
print("padding, weight on padded keys:", weights[1, :, :, 6:].sum().item())
