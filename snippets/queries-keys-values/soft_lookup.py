# A dictionary lookup is hard: the query must equal a key. A soft one blends.
import torch

torch.manual_seed(0)
# Keys: hours after sunrise. Values: the temperature measured then (deg C).
table = {1.0: 12.0, 3.0: 17.0, 6.0: 23.0, 9.0: 19.0}

print("hard lookup, query 3.0:", table[3.0])
try:
    table[4.0]
except KeyError:
    print("hard lookup, query 4.0: KeyError (no key equals 4.0)")

keys = torch.tensor(list(table))  # (S,) = (4,)
values = torch.tensor(list(table.values()))  # (S,)


def soft_lookup(query: float, width: float) -> tuple[torch.Tensor, float]:
    scores = -((query - keys) ** 2) / (2 * width**2)  # (S,): near = high
    weights = torch.softmax(scores, dim=0)  # (S,): positive, sum to 1
    return weights, (weights @ values).item()  # a blend of the values


weights, answer = soft_lookup(4.0, width=1.0)
assert torch.isclose(weights.sum(), torch.tensor(1.0))
print("soft lookup, query 4.0, weights:", weights.numpy().round(3))
print(f"soft lookup, query 4.0: {answer:.2f}")

# A very narrow kernel puts all the weight on the nearest key: a hard lookup.
weights, answer = soft_lookup(3.0, width=0.05)
assert abs(answer - table[3.0]) < 1e-4
print("narrow width, query 3.0, weights:", weights.numpy().round(3))
