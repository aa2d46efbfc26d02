# Perplexity of the tiny model on tokens 64 to 256 for windows of 16, 32 and
# 48 positions, with 0, 1 and 4 sinks.

from attention_book.tasks import language_model as lm

model, _ = lm.train_language_model()
texts, _ = lm.held_out_text(32, 257, seed=1)  # other texts than streaming.py
print(f"{'window':>6} {'0 sinks':>8} {'1 sink':>8} {'4 sinks':>8}")
for window in (16, 32, 48):
    row = []
    for sinks in (0, 1, 4):
        losses = lm.token_losses(model, texts, window, sinks)  # (32, 256)
        row.append(losses[:, lm.SEQ_LEN - 1 :].mean().exp().item())
    print(f"{window:>6} " + " ".join(f"{p:>8.1f}" for p in row))
