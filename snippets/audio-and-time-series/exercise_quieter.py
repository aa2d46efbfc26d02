# Make the burst quieter than in training (its peak amplitude; the noise
# has standard deviation 1) and watch accuracy and localisation fall.
import torch

from attention_book.tasks import signals

torch.manual_seed(0)
model, _ = signals.train_burst()  # the model of train_burst.py
for amplitude in (2.0, 1.5, 1.0, 0.75, 0.5):
    r = signals.evaluate(model, 500, seed=5, amplitude=amplitude)
    print(
        f"amplitude {amplitude}: accuracy {r.accuracy:.1%}, "
        f"peak on burst {r.localisation:.1%}"
    )
