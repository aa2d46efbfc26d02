# Two practical limits of the classic score functions.
import torch

from attention_book import MultiplicativeAttention

torch.manual_seed(0)

# 1. A dot product needs queries and keys of one width; "general" does not.
decoder_state = torch.randn(2, 32)  # (B, 32): a decoder state
annotations = torch.randn(2, 7, 48)  # (B, S, 48): bidirectional encoder
try:
    MultiplicativeAttention(32, 48, "dot")
except ValueError as error:
    print("dot:", error)
general = MultiplicativeAttention(32, 48, "general")  # W maps 48 -> 32
context, weights = general(decoder_state, annotations, annotations)
print("general: context", tuple(context.shape), "weights", tuple(weights.shape))

# 2. Memory of the scores and of what each function builds to get them,
#    for one sequence of L = S = 4096 in float32, widths d = h = 512.
L = S = 4096
d = h = 512
gib = 4 / 2**30  # bytes per float32, in GiB
print(f"scores (L, S): {L * S * gib:.3f} GiB")
print(f"additive tanh(W_q q + W_k k), (L, S, h): {L * S * h * gib:.0f} GiB")
print(f"concat [q; k] pairs, (L, S, 2d): {L * S * 2 * d * gib:.0f} GiB")
