# Sutskever et al. (2014) fed the source backwards. Train the model without
# attention to reverse instead of copy: the first digits out are then the
# last ones in, which the final state has just read.
import torch

from attention_book.tasks.seq2seq import accuracy_by_length, train_seq2seq

torch.manual_seed(0)
lengths = [4, 8, 12, 16, 20]
copy, _ = train_seq2seq(None)  # the model of bottleneck.py (cached)
backwards, _ = train_seq2seq(None, mode="reverse")
copied = accuracy_by_length(copy, lengths, "copy")
reversed_ = accuracy_by_length(backwards, lengths, "reverse")
print(f"{'length':>6} {'copy':>6} {'reverse':>8}")
for n in lengths:
    print(f"{n:>6} {copied[n]:>6.2f} {reversed_[n]:>8.2f}")
