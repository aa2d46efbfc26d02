# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Attention by hand
#
# This notebook computes attention for three tokens with plain Python loops, no matrix in sight, and
# then checks the result against `attention_book.scaled_dot_product_attention`. Each output $o_i$ is
#
# $$o_i = \sum_j \alpha_{ij} v_j, \qquad
#   \alpha_{ij} = \frac{\exp(q_i \cdot k_j / \sqrt{d})}{\sum_{j'} \exp(q_i \cdot k_{j'} / \sqrt{d})}.$$
#
# Download it with the link above, or run it as a script: `python attention-by-hand.py`.

# %%
import math

import torch

from attention_book import scaled_dot_product_attention

torch.manual_seed(0)
queries = torch.randn(3, 2).tolist()  # three tokens, d = 2
keys = torch.randn(3, 2).tolist()
values = torch.randn(3, 2).tolist()

# %% [markdown]
# ## Step 1: one score per (query, key) pair
# The score $q_i \cdot k_j / \sqrt{d}$ says how well key $j$ matches query $i$.

# %%
d = len(queries[0])


def dot(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


scores = [[dot(q, k) / math.sqrt(d) for k in keys] for q in queries]
for i, row in enumerate(scores):
    print(f"query {i}:", [round(s, 3) for s in row])

# %% [markdown]
# ## Step 2: softmax each row
# Subtracting the row's maximum before `exp` changes nothing mathematically and avoids overflow.

# %%
weights = []
for row in scores:
    top = max(row)
    exps = [math.exp(s - top) for s in row]
    weights.append([e / sum(exps) for e in exps])
for i, row in enumerate(weights):
    print(
        f"query {i}:", [round(w, 3) for w in row], "sum =", round(sum(row), 6)
    )

# %% [markdown]
# ## Step 3: average the values with those weights

# %%
columns = list(
    zip(*values, strict=True)
)  # column c holds coordinate c of every value
outputs = [[dot(row, column) for column in columns] for row in weights]
q, k, v = torch.tensor(queries), torch.tensor(keys), torch.tensor(values)
by_library, _ = scaled_dot_product_attention(q, k, v)
difference = (torch.tensor(outputs) - by_library).abs().max().item()
print("outputs by hand:", [[round(x, 4) for x in row] for row in outputs])
print(f"largest difference from the library: {difference:.1e}")
assert difference < 1e-6
