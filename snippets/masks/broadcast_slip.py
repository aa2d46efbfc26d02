# A (B, S) padding mask, without its unit dimensions, masks the wrong thing.
import torch

from attention_book import padding_mask, scaled_dot_product_attention

torch.set_printoptions(precision=2)
torch.manual_seed(0)
B, H, L, E = 3, 2, 3, 4  # batch size equal to the length: the trap
q, k, v = (torch.randn(B, H, L, E) for _ in range(3))
lengths = torch.tensor([3, 2, 1])

right = padding_mask(lengths, L)[:, None]  # (B, 1, 1, S)
wrong = right[:, 0, 0]  # (B, S): lines up with (L, S), not with (B, S)
_, w_right = scaled_dot_product_attention(q, k, v, mask=right)
_, w_wrong = scaled_dot_product_attention(q, k, v, mask=wrong)
print("mask", tuple(wrong.shape), "accepted, weights", tuple(w_wrong.shape))
print("sequence 0 has no padding. Right mask, head 0:")
print(w_right[0, 0])
print("Wrong mask, head 0 (query i got sequence i's padding):")
print(w_wrong[0, 0])
