# Zero the last layer of both sub-layers (W_O and the FFN's W_2): a pre-LN
# block becomes the identity, a post-LN block does not.
import torch
from torch import nn

from attention_book import EncoderBlock

torch.manual_seed(0)
x = 3 * torch.randn(2, 5, 16) + 1  # not normalized: mean 1, std 3
for norm_first in (True, False):
    block = EncoderBlock(16, 4, 64, norm_first=norm_first)
    for linear in (block.self_attn.out_proj, block.ff.linear2):
        nn.init.zeros_(linear.weight)
        nn.init.zeros_(linear.bias)
    out = block(x)
    name = "pre-LN " if norm_first else "post-LN"
    print(f"{name}: output == input: {torch.allclose(out, x)}, "
          f"output std {out.std():.2f}")  # fmt: skip

    def one_token(v, block=block):  # (16,) -> (16,): a one-token sequence
        return block(v[None, None])[0, 0]

    jacobian = torch.autograd.functional.jacobian(one_token, x[0, 0])
    identity = torch.allclose(jacobian, torch.eye(16))
    print(f"         Jacobian is the identity: {identity}")
