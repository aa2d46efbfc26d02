# Two flags of nn.TransformerEncoderLayer that fail silently:
# batch_first (default False) and norm_first (default False, post-LN).
import torch
from torch import nn

from attention_book import EncoderBlock

torch.manual_seed(0)
B, T, d_model, H, d_ff = 3, 5, 16, 4, 64
x = torch.randn(B, T, d_model)  # batch-first, as in this book

layer = nn.TransformerEncoderLayer(d_model, H, d_ff, dropout=0.0).eval()
ours = EncoderBlock.from_torch(layer).eval()  # always batch-first
with torch.no_grad():
    wrong = layer(x)  # read as (T=3, B=5, E): attends across the batch
    right = layer(x.transpose(0, 1)).transpose(0, 1)
    print("batch-first input to batch_first=False: shape",
          tuple(wrong.shape), "no error")  # fmt: skip
    error = (wrong - right).abs().max()
    print(f"  max difference from the right answer {error:.2f}")
    error = (ours(x) - right).abs().max()
    print(f"  EncoderBlock.from_torch vs the right answer {error:.1e}")

    # Pre-LN weights loaded into a layer built with the default post-LN.
    flags = dict(dropout=0.0, batch_first=True)
    pre = nn.TransformerEncoderLayer(d_model, H, d_ff, norm_first=True, **flags)
    post = nn.TransformerEncoderLayer(d_model, H, d_ff, **flags)  # post-LN
    pre.eval()
    post.eval()
    post.load_state_dict(pre.state_dict())  # same names: no error
    diff = (post(x) - pre(x)).abs().max()
    print(f"same weights, norm_first flipped: max difference {diff:.2f}")
