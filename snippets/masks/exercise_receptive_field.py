# How far back can the last token see after stacking sliding-window layers?
import torch

from attention_book import sliding_window_mask

torch.manual_seed(0)
L, window = 16, 3
one = sliding_window_mask(L, window).int()  # (L, L): one layer
reach = torch.eye(L, dtype=torch.int)
for layer in range(1, 5):
    reach = ((one @ reach) > 0).int()  # paths through one more layer
    first = int(reach[-1].nonzero().min())  # earliest position it reaches
    span = L - 1 - first
    assert span == layer * (window - 1)
    print(f"layers: {layer}  last token reaches back {span} positions")
