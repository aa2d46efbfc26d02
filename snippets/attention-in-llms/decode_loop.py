# Generation with a KV cache, written out, against generation without one:
# the tiny language model of attention_book.tasks.language_model (trained
# once, then loaded from the disk cache) samples the same 60 tokens both ways.
import torch

from attention_book.tasks import language_model as lm

model, _ = lm.train_language_model()  # 2 layers, 4 query heads, 2 KV heads
prompt = torch.tensor([[lm.BOS]])  # (B, P) = (1, 1)
n = 60


def sample(logits: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    probs = torch.softmax(logits, dim=-1)  # (B, VOCAB), temperature 1
    return torch.multinomial(probs, 1, generator=gen)  # (B, 1)


with torch.no_grad():
    # With the cache: the prompt once (the prefill), then one token per step.
    gen = torch.Generator().manual_seed(0)
    state = model.new_state()  # one KVCache per layer
    logits = model(prompt, state=state)[:, -1]  # (1, VOCAB)
    cached = prompt
    for _ in range(n):
        token = sample(logits, gen)
        cached = torch.cat([cached, token], dim=1)
        logits = model(token, state=state)[:, -1]  # 1 query, all cached keys

    # Without: every step runs the whole text through the model again.
    gen = torch.Generator().manual_seed(0)
    plain = prompt
    for _ in range(n):
        logits = model(plain)[:, -1]
        plain = torch.cat([plain, sample(logits, gen)], dim=1)

assert torch.equal(cached, plain)
print("same tokens:", torch.equal(cached, plain))
print("text:", lm.to_text(cached[0]))
print(f"positions cached: {len(state)}")
print(f"cache bytes: {state.nbytes}")
