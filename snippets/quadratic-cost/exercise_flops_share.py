# Attention's share of the FLOPs of one Transformer layer of width E:
# projections Q, K, V, O: 4 * 2 n E^2; feed-forward E -> 4E -> E: 16 n E^2;
# attention itself (Q K^T and weights @ V over all heads): 4 n^2 E.
E = 4096


def share(n: int) -> float:
    dense = 8 * n * E * E + 16 * n * E * E
    attention = 4 * n * n * E
    return attention / (attention + dense)


for n in (2048, 8192, 24576, 131072):
    print(f"n = {n:>6}: attention is {share(n):.0%} of the layer's FLOPs")
assert share(6 * E) == 0.5  # 4 n^2 E = 24 n E^2 exactly when n = 6E
print(f"half of the FLOPs at n: {6 * E}")
