# Two very different weight rows that give exactly the same attention output.
import torch

torch.manual_seed(0)
S, d_v = 8, 3  # 8 keys, values of width 3
f64 = torch.float64
values = torch.randn(S, d_v, dtype=f64)  # (S, d_v)
w1 = torch.softmax(torch.randn(S, dtype=f64), dim=0)  # (S,)
top = w1.argmax()  # the key that w1 attends most

# Move weight along directions d the output cannot see (d @ values = 0,
# d.sum() = 0), lowering w[top] until it, or another weight, reaches 0.
# A weight that reaches 0 is pinned there; repeat until w[top] is 0.
w2 = w1.clone()
for _ in range(S):  # each step pins at least one more weight
    if w2[top] <= 1e-12:
        break
    pinned = torch.eye(S, dtype=f64)[w2 <= 1e-12]  # rows e_k, w2[k] = 0
    rules = torch.cat([values.T, torch.ones(1, S, dtype=f64), pinned])
    free = torch.linalg.svd(rules).Vh[len(rules) :]  # null space basis
    d = -free.T @ free[:, top]  # the allowed move that lowers w[top] most
    shrinking = d < -1e-15
    w2 = (w2 + (w2[shrinking] / -d[shrinking]).min() * d).clamp(min=0)

assert w2[top] <= 1e-12 and abs(w2.sum().item() - 1) < 1e-12
out1, out2 = w1 @ values, w2 @ values  # (d_v,) each
assert torch.allclose(out1, out2, rtol=0, atol=1e-12)
print("weights 1:", [round(w, 2) for w in w1.tolist()])
print("weights 2:", [round(w, 2) for w in w2.tolist()])
print("output 1: ", [round(o, 4) for o in out1.tolist()])
print("output 2: ", [round(o, 4) for o in out2.tolist()])
print("most attended key:", top.item(), "vs", w2.argmax().item())
print(f"total variation distance: {0.5 * (w1 - w2).abs().sum():.2f}")
