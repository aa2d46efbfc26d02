# The library's EncoderBlock, written out: LayerNorm by hand, then the two
# sub-layers with their residual connections, post-LN and pre-LN.
import torch

from attention_book import EncoderBlock

torch.manual_seed(0)
B, T, d_model, H, d_ff = 2, 5, 16, 4, 64
x = torch.randn(B, T, d_model)


def layer_norm(x, norm):  # norm: the block's nn.LayerNorm (gamma, beta)
    mean = x.mean(-1, keepdim=True)  # (B, T, 1): one mean per position
    var = x.var(-1, unbiased=False, keepdim=True)  # (B, T, 1)
    return norm.weight * (x - mean) / torch.sqrt(var + norm.eps) + norm.bias


def attend(block, x):  # self-attention sub-layer: (B, T, d) -> (B, T, d)
    return block.self_attn(x, x, x)[0]


for norm_first in (False, True):
    block = EncoderBlock(d_model, H, d_ff, norm_first=norm_first).eval()
    with torch.no_grad():  # make gamma and beta non-trivial
        for norm in (block.norm1, block.norm2):
            norm.weight.uniform_(0.5, 1.5)
            norm.bias.normal_(0, 0.1)
    if norm_first:  # pre-LN: x + Sublayer(LN(x))
        h = x + attend(block, layer_norm(x, block.norm1))
        out = h + block.ff(layer_norm(h, block.norm2))
    else:  # post-LN: LN(x + Sublayer(x))
        h = layer_norm(x + attend(block, x), block.norm1)
        out = layer_norm(h + block.ff(h), block.norm2)
    error = (out - block(x)).abs().max().item()
    assert error < 1e-5
    name = "pre-LN " if norm_first else "post-LN"
    print(f"{name}: by hand vs EncoderBlock, max difference {error:.1e}")
