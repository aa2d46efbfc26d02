# Queries, keys and values are three linear views of the same token embeddings.
import torch
from torch import nn

torch.manual_seed(0)
tokens = ["the", "river", "bank", "flooded"]
d_model, d_k = 8, 4

x = torch.randn(len(tokens), d_model)  # (L, d_model): one embedding per token
to_query = nn.Linear(d_model, d_k, bias=False)
to_key = nn.Linear(d_model, d_k, bias=False)
to_value = nn.Linear(d_model, d_k, bias=False)

q = to_query(x)  # (L, d_k): what each token is looking for
k = to_key(x)  # (L, d_k): what each token offers to be found by
v = to_value(x)  # (L, d_k): what each token hands over when it is attended to

print("x:", tuple(x.shape))
print("q:", tuple(q.shape), " k:", tuple(k.shape), " v:", tuple(v.shape))
print("query of 'bank':", q[2].detach().numpy().round(2))
