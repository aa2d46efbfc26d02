# EncoderBlock equals torch.nn.TransformerEncoderLayer: copy the weights,
# run both on a padded batch, compare.
import torch
from torch import nn

from attention_book import EncoderBlock, padding_mask

torch.manual_seed(0)
B, T, d_model, H, d_ff = 2, 6, 32, 4, 128
x = torch.randn(B, T, d_model)
lengths = torch.tensor([6, 4])  # sequence 1 ends in two padding tokens
keep = padding_mask(lengths, T)  # (B, 1, T): True = may attend (ours)

for norm_first in (False, True):
    flags = dict(batch_first=True, norm_first=norm_first)
    theirs = nn.TransformerEncoderLayer(d_model, H, d_ff, **flags)
    theirs.eval()  # no dropout
    ours = EncoderBlock.from_torch(theirs).eval()
    # PyTorch's key padding mask is (B, T) and True means "ignore".
    expected = theirs(x, src_key_padding_mask=~keep[:, 0])
    got = ours(x, keep)
    error = (got - expected).abs().max().item()
    assert error < 1e-5
    print(f"norm_first={norm_first!s:<5} max difference {error:.1e}")
