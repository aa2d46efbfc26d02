# The alignment learned by the additive-attention model of "Why attention"
# (copy strings of 1 to 20 digits): its weights for one new 8-digit string.
import torch

from attention_book.tasks.seq2seq import (
    alignment_accuracy,
    make_batch,
    train_seq2seq,
)

torch.manual_seed(0)
model, history = train_seq2seq("additive")  # trained once, then cached
new = torch.Generator().manual_seed(8)  # not the training stream
source, target = make_batch(new, "copy", 1, 8, 8)  # (1, 8) each
output, weights = model.generate(source)  # (1, 8), (1, 8, 8): step x source
print("source:", " ".join(str(t) for t in source[0].tolist()))
print("output:", " ".join(str(t) for t in output[0].tolist()))
print("weights (row = output step, column = source position):")
for t, row in enumerate(weights[0]):
    print(f"  step {t}:", " ".join(f"{w:.2f}" for w in row))
for n in (5, 10, 20):
    share = alignment_accuracy(model, n)
    print(f"largest weight on the copied digit, length {n}: {share:.2f}")
