# The tiny model, trained on texts of 64 tokens, reads texts of 512 with three
# caches: (a) a full KV cache, (b) a window of the last 32 positions,
# (c) the same window plus the first token (BOS) as an attention sink.
import torch
import torch.nn.functional as F

from attention_book.tasks import language_model as lm

torch.set_num_threads(1)  # the same sums, whatever the machine
model, _ = lm.train_language_model()
texts, predictable = lm.held_out_text(64, 513)  # (64, 513), BOS first
CACHES = {  # name: (window, sinks)
    "full cache": (None, 0),
    "window 32": (32, 0),
    "window 32 + 1 sink": (32, 1),
}

# Whole texts go through the model at once, under the keep-mask of what each
# cache keeps. Check on one text that decoding with the cache is the same.
state = model.new_state(window=32, sinks=1)  # a RollingKVCache per layer
with torch.no_grad():
    steps = [model(texts[:1, t : t + 1], state=state) for t in range(100)]
    masked = model(texts[:1, :100], mask=lm.streaming_mask(100, 32, 1))
assert torch.allclose(torch.cat(steps, dim=1), masked, atol=1e-5)
print("rolling cache == masked pass: True")

late = slice(lm.SEQ_LEN - 1, None)  # predicting tokens 64 .. 512
targets = texts[:, 1:][:, late]  # (64, 449)
echo = predictable[:, 1:][:, late]  # which of them continue an echo
print("tokens 64-512       loss  perplexity  echo acc.  surprise loss")
results = {}
for name, (window, sinks) in CACHES.items():
    mask = lm.streaming_mask(512, window, sinks)  # (512, 512)
    with torch.no_grad():
        logits = model(texts[:, :-1], mask=mask)[:, late]  # (64, 449, V)
    losses = F.cross_entropy(logits.transpose(1, 2), targets, reduction="none")
    right = (logits.argmax(-1) == targets)[echo].float().mean()
    surprise = losses[~echo].mean()  # random tokens and the starts of echoes
    results[name] = (losses.mean().exp(), right, losses.mean())
    left = f"{name:<19}{losses.mean():>5.2f}{losses.mean().exp():>12.1f}"
    print(f"{left}{right:>11.2f}{surprise:>15.2f}")
for name, (perplexity, *_) in results.items():
    print(f"perplexity, {name}: {perplexity:.1f}")
print(f"echo accuracy, full cache: {results['full cache'][1]:.2f}")
print(f"echo accuracy, window 32: {results['window 32'][1]:.2f}")
saved = results["window 32"][2] - results["window 32 + 1 sink"][2]
print(f"loss the sink saves: {saved:.2f} nats")
