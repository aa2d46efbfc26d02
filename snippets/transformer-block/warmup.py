# Twelve encoder blocks learn to reverse 8 digits with Adam at lr 1e-2:
# post-LN without warm-up, post-LN with 100 warm-up steps, pre-LN without.
import math

from attention_book.tasks import deep_stack

runs = {  # name: (norm_first, warm-up steps)
    "post-LN, no warm-up": (False, 0),
    "post-LN, 100 warm-up steps": (False, 100),
    "pre-LN, no warm-up": (True, 0),
}
print(f"chance level: loss {math.log(deep_stack.VOCAB):.3f}, accuracy 0.100")
for name, (norm_first, warmup) in runs.items():
    model, history = deep_stack.train_deep_stack(norm_first, warmup)
    final = sum(history.losses[-20:]) / 20  # mean of the last 20 steps
    accuracy = deep_stack.accuracy(model)  # held-out digits in place
    print(f"{name}: loss {final:.3f}, accuracy {accuracy:.3f}")
