# DecoderBlock equals torch.nn.TransformerDecoderLayer: masked
# self-attention, cross-attention to a padded memory, feed-forward.
import torch
from torch import nn

from attention_book import DecoderBlock, padding_mask

torch.manual_seed(0)
B, T, S, d_model, H, d_ff = 2, 5, 7, 32, 4, 128
x = torch.randn(B, T, d_model)  # target side
memory = torch.randn(B, S, d_model)  # the encoder's output
src_keep = padding_mask(torch.tensor([7, 4]), S)  # (B, 1, S), ours

for norm_first in (False, True):
    flags = dict(batch_first=True, norm_first=norm_first)
    theirs = nn.TransformerDecoderLayer(d_model, H, d_ff, **flags).eval()
    ours = DecoderBlock.from_torch(theirs).eval()
    expected = theirs(
        x,
        memory,
        tgt_mask=nn.Transformer.generate_square_subsequent_mask(T),
        tgt_is_causal=True,  # the float mask above: 0 or -inf
        memory_key_padding_mask=~src_keep[:, 0],  # (B, S), True = ignore
    )
    got = ours(x, memory, memory_mask=src_keep, tgt_is_causal=True)
    error = (got - expected).abs().max().item()
    assert error < 1e-5
    print(f"norm_first={norm_first!s:<5} max difference {error:.1e}")
