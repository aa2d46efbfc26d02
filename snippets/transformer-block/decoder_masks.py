# The masks of an encoder-decoder, tested on the trained translation model:
# causal self-attention in the decoder, source padding in the encoder and
# in cross-attention, target padding.
import torch

from attention_book import padding_mask_from_ids
from attention_book.tasks import translation

model, _ = translation.train_translation(seed=0)
vocabulary = translation.vocabulary()


def ids(words, side):
    encode = getattr(vocabulary, f"encode_{side}")
    return torch.tensor([encode(words.split())])


src = ids("the big black cat chases a small white mouse", "source")
tgt = ids("le chat noir grand une souris", "target")
tgt = torch.cat([torch.tensor([[translation.BOS]]), tgt], dim=1)  # <s> ...

# 1. Causal: a new token at position 4 cannot change positions 0..3.
changed = tgt.clone()
changed[0, 4] = vocabulary.encode_target(["loup"])[0]
with torch.no_grad():
    before, after = model(src, tgt), model(src, changed)  # (1, T, vocab)
moved = (after - before).abs().amax(-1)[0] > 1e-5
print("positions whose logits moved:", moved.nonzero().flatten().tolist())

# 2. Padding: translate a short sentence alone, and padded to length 9.
short = ids("a hen sees the dog", "source")  # S = 5
padded = torch.cat([short, torch.zeros(1, 4, dtype=torch.long)], dim=1)
tgt = ids("une poule le chien voit", "target")
tgt = torch.cat([torch.tensor([[translation.BOS]]), tgt], dim=1)
with torch.no_grad():
    alone = model(short, tgt)
    masked = model(padded, tgt, src_mask=padding_mask_from_ids(padded, 0))
    unmasked = model(padded, tgt)  # the padding is attended to
for name, out in (("with the mask", masked), ("without it", unmasked)):
    diff = (out - alone).abs().max().item()
    words = vocabulary.decode_target(out.argmax(-1)[0])
    print(f"padded, {name}: max difference {diff:.1e},", " ".join(words))

# 3. Target padding sits after the real words, where the causal mask
# already hides it: a target padding mask changes no real position.
tgt_padded = torch.cat([tgt, torch.zeros(1, 3, dtype=torch.long)], dim=1)
keep = padding_mask_from_ids(tgt_padded, 0)  # (1, 1, T)
with torch.no_grad():
    plain = model(short, tgt_padded)[:, : tgt.shape[1]]
    with_mask = model(short, tgt_padded, tgt_mask=keep)[:, : tgt.shape[1]]
diff = (plain - with_mask).abs().max().item()
print(f"target padding mask, real positions: max difference {diff:.1e}")
