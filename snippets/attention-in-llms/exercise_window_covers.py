# A rolling cache whose window holds the whole text keeps every position, so
# it must generate exactly what a full KV cache generates; a shorter window
# drifts away once its keys differ.
import torch

from attention_book.tasks import language_model as lm

model, _ = lm.train_language_model()
prompt, _ = lm.held_out_text(1, 16)  # BOS and 15 tokens


def sample(**cache) -> torch.Tensor:
    gen = torch.Generator().manual_seed(0)  # the same random draws each time
    return lm.generate(model, prompt, 64, temperature=1, generator=gen, **cache)


full = sample()  # one KVCache per layer
wide = sample(window=80)  # RollingKVCache(80): all 16 + 64 positions
narrow = sample(window=20)
assert torch.equal(full, wide)
print("window 80 == full cache:", torch.equal(full, wide))
differs = (full != narrow)[0].nonzero().flatten().tolist()
print("window 20, first position that differs:", differs[0])
print(lm.to_text(full[0]))
print(lm.to_text(narrow[0]))
