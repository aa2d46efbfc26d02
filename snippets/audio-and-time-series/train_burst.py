# Train the burst classifier (cached after the first run) and measure it
# on 1000 held-out clips: is the frequency right, and does the most
# attended frame lie on the burst?
import torch

from attention_book.tasks import signals

torch.manual_seed(0)
model, history = signals.train_burst()  # 400 steps of 64 clips
print(f"parameters: {sum(p.numel() for p in model.parameters())}")
print(f"training clips: {history.steps * 64}")
print(f"loss: {history.losses[0]:.2f} -> {history.losses[-1]:.3f}")

result = signals.evaluate(model)  # 1000 new clips, another seed
print(f"chance: {1 / len(signals.FREQUENCIES):.0%}")
print(f"held-out accuracy: {result.accuracy:.1%}")
print(f"attention peak on the burst: {result.localisation:.1%}")
print(f"attention mass on the burst: {result.mass_on_burst:.1%}")
print(f"mass if attention were uniform: {result.burst_share:.1%}")
