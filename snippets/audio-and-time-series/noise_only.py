# Attention weights always sum to one, so the query attends somewhere
# even when there is nothing to find: clips of pure noise.
import torch

from attention_book.tasks import signals

torch.manual_seed(0)
model, _ = signals.train_burst()  # the model of train_burst.py
generator = signals.held_out_generator(3)
cases = (("with a burst", signals.AMPLITUDE), ("noise only", 0.0))
for name, amplitude in cases:
    clips = signals.make_clips(500, generator, amplitude=amplitude)
    with torch.no_grad():
        probs = model(clips.waveform).softmax(-1)  # (500, C)
    weights = model.last_weights  # (500, T)
    assert weights is not None
    print(f"{name}, largest weight: {weights.max(-1).values.mean():.2f}")
    print(f"{name}, weight sum: {weights.sum(-1).mean():.2f}")
    print(f"{name}, confidence: {probs.max(-1).values.mean():.1%}")
print(f"uniform weight: {1 / weights.shape[-1]:.2f}")
