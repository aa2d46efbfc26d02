# An encoder-decoder assembled from the library's blocks, trained on the
# toy translation. Trained once, then loaded from a disk cache.
from attention_book.tasks import translation

model, history = translation.train_translation(seed=0)
print("encoder:", [type(block).__name__ for block in model.encoder])
print("decoder:", [type(block).__name__ for block in model.decoder])
print("parameters:", sum(p.numel() for p in model.parameters()))
print(f"loss: step 1 {history.losses[0]:.2f}, "
      f"step {history.steps} {history.losses[-1]:.3f}")  # fmt: skip

accuracy = translation.evaluate(model, num_sentences=1000)
print(f"held-out sentences translated exactly: {accuracy:.1%}")
for sentence in ("the big black cat chases a small white mouse",
                 "a green hen follows the pretty horse"):  # fmt: skip
    print(sentence)
    print("  ->", " ".join(translation.translate(model, sentence)))
