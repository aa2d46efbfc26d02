# The model was trained on 1 s clips. Positions are sinusoidal and the
# pooling query attends to any number of frames, so it runs on longer
# clips as it is. Does it still find the burst?
import torch

from attention_book.tasks import signals

torch.manual_seed(0)
model, _ = signals.train_burst()  # the model of train_burst.py
for seconds in (1.0, 2.0, 4.0):
    r = signals.evaluate(model, 500, seed=4, seconds=seconds)
    print(
        f"{seconds:.0f} s: accuracy {r.accuracy:.1%}, "
        f"peak on burst {r.localisation:.1%}, "
        f"mass on burst {r.mass_on_burst:.1%}"
    )
