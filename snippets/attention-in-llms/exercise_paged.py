# Memory reserved for the KV caches of 1000 requests of random length, as a
# share of the memory their tokens fill: reserving the longest length for
# each, doubling as the library's KVCache does, and pages of 16 positions.
import torch

from attention_book import KVCache

torch.manual_seed(0)
context, page = 4096, 16
prompts = torch.randint(16, 512, (1000,))  # prompt lengths
lengths = prompts + torch.randint(1, context - 512, (1000,))  # + generated


def doubled(prompt: int, length: int) -> int:
    """Capacity of a KVCache after a prefill of `prompt`, grown to `length`."""
    capacity = prompt
    while capacity < length:
        capacity *= 2
    return capacity


cache = KVCache()  # check the rule on the library's cache (no storage used)
cache.update(*[torch.empty(1, 1, 100, 8, device="meta")] * 2)
for _ in range(250):
    cache.update(*[torch.empty(1, 1, 1, 8, device="meta")] * 2)
assert cache.capacity == doubled(100, 350) == 400

used = lengths.sum().item()
reserved = {
    "longest length": context * len(lengths),
    "doubling": sum(map(doubled, prompts.tolist(), lengths.tolist())),
    f"pages of {page}": sum(-(-n // page) * page for n in lengths.tolist()),
}
for name, total in reserved.items():
    empty = 100 * (total - used) / total
    print(f"{name}, share reserved but empty: {empty:.1f} %")
