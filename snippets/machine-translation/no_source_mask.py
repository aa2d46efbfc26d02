# Forgetting the source padding mask. The held-out sentences are decoded in
# one batch, padded to the longest (9 words); without the mask the encoder
# and the cross-attention read the padding as if it were words.
from collections import Counter

from attention_book.tasks import mt_extras, translation

model, _ = translation.train_translation(seed=0)
sentences = translation.held_out_sentences(1000)
masked = mt_extras.exact_matches(model, sentences)
unmasked = mt_extras.exact_matches(model, sentences, mask_source=False)
print(f"exact match, with the source mask: {sum(masked) / 1000:.1%}")
print(f"exact match, without it: {sum(unmasked) / 1000:.1%}")

lengths = [len(s) for s in sentences]
print("words  padding  sentences  exact without the mask")
for n, total in sorted(Counter(lengths).items()):
    right = sum(r for r, m in zip(unmasked, lengths, strict=True) if m == n)
    print(f"{n:>5}  {9 - n:>7}  {total:>9}  {right / total:>22.1%}")

short = "a hen sees the dog"  # 5 words, padded with 4 <pad>
long = "the big black cat chases a small white mouse"
batch = mt_extras.encode_sentences([short, long])  # (2, 9)
print("source row:", batch[0].tolist())
vocab = translation.vocabulary()
for mask in (True, False):
    ids = mt_extras.greedy(model, batch, mask_source=mask)  # (2, T)
    print(f"mask_source={mask}:", " ".join(vocab.decode_target(ids[0])))
