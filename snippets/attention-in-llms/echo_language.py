# The language the tiny model learns: random tokens that now and then echo
# what came a few tokens before. A ~ marks a token that continues an echo
# (predictable); the others are surprises.
import math

from attention_book.tasks import language_model as lm

texts, predictable = lm.held_out_text(2, 60, seed=3)  # (2, 60) each
for text, marks in zip(texts, predictable, strict=True):
    print(lm.to_text(text))
    print("".join("~" if m else " " for m in marks.tolist()).rstrip())
print(f"share of predictable tokens: {predictable.float().mean():.2f}")

model, history = lm.train_language_model()  # trained once, then cached
result = lm.evaluate(model)  # 256 new texts of 64 tokens
print(f"parameters: {sum(p.numel() for p in model.parameters())}")
print(f"training steps: {history.steps}")
print(f"held-out loss: {result.loss:.2f} nats")
print(f"a uniform guess: {math.log(lm.VOCAB):.2f} nats")
print(f"echo accuracy: {result.echo_accuracy:.2f}")
