# Train the copy model of "Why attention" with Luong's dot score instead of
# the additive one: no parameters in the score at all. Does it still align?
import torch

from attention_book.tasks.seq2seq import (
    accuracy_by_length,
    alignment_accuracy,
    train_seq2seq,
)

torch.manual_seed(0)
lengths = [5, 10, 15, 20]
for score in ("additive", "dot"):
    model, _ = train_seq2seq(score)  # additive: cached from the chapter
    accuracy = accuracy_by_length(model, lengths)
    print(f"{score:<9}", " ".join(f"{n}: {accuracy[n]:.2f}" for n in lengths))
    print(f"{score} alignment, length 20: {alignment_accuracy(model, 20):.2f}")
