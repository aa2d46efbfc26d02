# A prefix-LM mask: the prefix sees itself both ways, the rest is causal.
import torch

from attention_book import causal_mask

torch.manual_seed(0)
L, P = 6, 3  # six positions, the first three are the prefix (the prompt)
prefix = torch.zeros(L, L, dtype=torch.bool)
prefix[:, :P] = True  # every query may see the whole prefix
keep = causal_mask(L) | prefix  # OR: allowed by either rule
print(keep.int())
# Rows after the prefix are plain causal rows: they never see the future.
after = torch.equal(keep[P:], causal_mask(L)[P:])
assert after
print("rows after the prefix are causal:", after)
