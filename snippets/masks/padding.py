# Padding masks: built from token ids, and why a batch needs one.
import torch
from torch.nn.utils.rnn import pad_sequence

from attention_book import (
    MultiHeadAttention,
    padding_mask,
    padding_mask_from_ids,
)

torch.manual_seed(0)
PAD = 0
sentences = [["the", "cat", "sat", "down"], ["dogs", "bark"]]
vocab = {"<pad>": PAD}
for word in (w for s in sentences for w in s):
    vocab.setdefault(word, len(vocab))
rows = [torch.tensor([vocab[w] for w in s]) for s in sentences]
ids = pad_sequence(rows, batch_first=True, padding_value=PAD)  # (B, S)
keep = padding_mask_from_ids(ids, PAD)  # (B, 1, S): True = real token
print("ids:", tuple(ids.shape))
print(ids)
print("keep:", tuple(keep.shape), " the 1 stands for every query")
print(keep[:, 0].int())
lengths = torch.tensor([len(s) for s in sentences])  # (B,)
assert torch.equal(keep, padding_mask(lengths, ids.shape[1]))

# The short sentence alone, and inside the padded batch, with and without
# the mask. Only the masked batch gives it the outputs it has on its own.
embed = torch.nn.Embedding(len(vocab), 8)
attn = MultiHeadAttention(d_model=8, num_heads=2).eval()
with torch.no_grad():
    alone, _ = attn(embed(rows[1])[None])  # (1, 2, 8): no padding at all
    masked, _ = attn(embed(ids), mask=keep)  # (B, S, 8)
    unmasked, _ = attn(embed(ids))
n = len(rows[1])
with_mask = (masked[1, :n] - alone[0]).abs().max()
without = (unmasked[1, :n] - alone[0]).abs().max()
print(f"with the mask, max difference: {with_mask:.1e}")
print(f"without the mask, max difference: {without:.1e}")
