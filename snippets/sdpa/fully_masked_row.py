# A query with no key to attend to: the textbook softmax gives NaN,
# the book's gives zeros.
import torch

from attention_book import scaled_dot_product_attention

torch.manual_seed(0)
q, k, v = torch.randn(3, 4), torch.randn(3, 4), torch.randn(3, 4)
keep = torch.tensor(
    [[True, True, False], [False, False, False], [True, True, True]]
)  # row 1 may attend to nothing

scores = (q @ k.T / 2).masked_fill(~keep, float("-inf"))
print("textbook softmax, row 1:", torch.softmax(scores, dim=-1)[1].tolist())

output, weights = scaled_dot_product_attention(q, k, v, mask=keep)
print("book weights,     row 1:", weights[1].tolist())
print("book output,      row 1:", output[1].tolist())
print("any NaN in the output:", bool(output.isnan().any()))
