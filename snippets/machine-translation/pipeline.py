# One batch of the toy translator, from words to the loss: padding, the
# source padding mask, <s> and </s>, teacher forcing under the causal
# mask, and a cross-entropy that skips the padded positions.
import torch
import torch.nn.functional as F

from attention_book import causal_mask, combine_masks, padding_mask_from_ids
from attention_book.tasks import translation

torch.manual_seed(0)
torch.set_num_threads(1)  # tiny tensors: one thread, and the same sums
vocab = translation.vocabulary()
PAD = translation.PAD
print("vocabularies: source", len(vocab.source), " target", len(vocab.target))
print("special target ids:", {w: i for i, w in enumerate(vocab.target[:3])})

source, target = translation.make_batch(torch.Generator().manual_seed(2), 3)
print("source ids (B, S):\n", source, sep="")
src_keep = padding_mask_from_ids(source, PAD)  # (B, 1, S), True = a word
print("source keep-mask, row 2:", src_keep[2, 0].int().tolist())

target_in, target_out = target[:, :-1], target[:, 1:]  # (B, T - 1) each


def words(ids):
    return " ".join(vocab.target[i] for i in ids)


print("decoder reads (row 2):   ", words(target_in[2]))
print("and must predict (row 2):", words(target_out[2]))

T = target_in.shape[1]
tgt_keep = combine_masks(causal_mask(T), padding_mask_from_ids(target_in, PAD))
print("decoder self-attention keep-mask, row 2 (B, T, T):")
print(tgt_keep[2].int())

model, _ = translation.train_translation(seed=0)  # cached after the 1st run
with torch.no_grad():
    logits = model(source, target_in, src_mask=src_keep,
                   tgt_mask=padding_mask_from_ids(target_in, PAD))  # fmt: skip
loss = F.cross_entropy(logits.flatten(0, 1), target_out.flatten(),
                       ignore_index=PAD)  # fmt: skip
log_p = logits.log_softmax(-1).gather(-1, target_out[..., None])[..., 0]
real = target_out != PAD  # (B, T): the positions that count
assert torch.allclose(loss, -log_p[real].mean())
print("real target tokens:", int(real.sum()), "of", real.numel())
print(f"loss, padding ignored: {loss:.2g}")
padded_too = F.cross_entropy(logits.flatten(0, 1), target_out.flatten())
print(f"loss, padding counted as a word: {padded_too:.2g}")
