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
# # Adding two numbers with attention
#
# A network that adds two numbers needs no attention at all. That is what makes the task useful here:
# the model is small enough that every tensor of one forward pass fits on the screen, so we can follow
# $3 + 5$ through queries, keys, values, scores and weights to the answer, and then ask an honest
# question with measurements: *what did attention contribute?*
#
# The model (`attention_book.tasks.adding.AddingModel`) reads the pair as a sequence of two tokens.
# Token $i$ holds the number $n_i$, scaled to $x_i = n_i / 99$ (the largest training operand), and is
# embedded as
#
# $$e_i = x_i\, u + p_i ,$$
#
# a learned direction $u$ scaled by the number, plus a learned vector $p_i$ that says "first" or
# "second". Both tokens attend to both tokens with
# [scaled dot-product attention](../../foundations/scaled-dot-product-attention/), and a small network
# (one hidden layer of 64 ReLU units) reads the two attended vectors side by side:
#
# $$Q = E W_Q + b_Q, \qquad K = E W_K + b_K, \qquad V = E W_V + b_V,$$
#
# $$A = \operatorname{softmax}\!\left(\frac{Q K^\top}{\sqrt{d}}\right) V,
#   \qquad \hat y = 99 \cdot \mathrm{MLP}([A_1;\, A_2]).$$
#
# Every vector is $d = 16$ numbers wide. Training draws fresh pairs from $0 \dots 99$ at every step
# and minimises the squared error; a prediction counts as right when it rounds to the true sum.

# %%
import matplotlib.pyplot as plt
import torch

from attention_book.tasks import adding

plt.rcParams.update({"figure.dpi": 90, "font.size": 9})
torch.set_num_threads(
    1
)  # tiny tensors: one thread is fastest, and deterministic
torch.set_printoptions(precision=3, sci_mode=False, linewidth=80)

# Trained once (a few seconds on one CPU thread), then loaded from a disk cache.
model, history = adding.train_adding()
print("parameters:", sum(p.numel() for p in model.parameters()))
print(
    f"training steps: {history.steps}, loss first {history.losses[0]:.3f}, "
    f"last {history.losses[-1]:.1e}"
)

# %% [markdown]
# ## Step 1: the input
#
# The pair $[3, 5]$ is a batch of one sequence of two tokens. `forward_with_steps` runs the model and
# keeps every intermediate tensor, so the cells below only read them.

# %%
numbers = torch.tensor([[3, 5]])  # (batch 1, 2 tokens)
with torch.no_grad():
    steps = model.forward_with_steps(numbers)
print("numbers:", numbers[0].tolist(), " scaled x:", (numbers[0] / 99))
print("embeddings e_1, e_2 (2 x 16), first 6 coordinates:")
print(steps.embedded[0, :, :6])

# %% [markdown]
# ## Steps 2 to 4: queries, keys and values
#
# Three linear maps of the same embeddings. A query says what a token looks for, a key what it offers
# to be found by, a value what it hands over if it is attended to (the
# [queries, keys and values](../../foundations/queries-keys-values/) chapter explains the split). Each
# is a $2 \times 16$ matrix: one row per token. The picture below shows them as rows of colour; look at
# how similar the two rows of each matrix are. The numbers $3$ and $5$ are both small next to $99$, so
# the two embeddings differ mostly by their position vectors.

# %%
qkv = {"Q": steps.query, "K": steps.key, "V": steps.value}  # (1, 2, 16) each
for name, tensor in qkv.items():
    gap = (tensor[0, 0] - tensor[0, 1]).norm().item()
    print(f"{name}: shape {tuple(tensor.shape)}, |row 1 - row 2| = {gap:.3f}")

fig, axes = plt.subplots(
    3, 1, figsize=(6.5, 3.2), sharex=True, layout="constrained"
)
limit = max(t.abs().max().item() for t in qkv.values())
for ax, (name, tensor) in zip(axes, qkv.items(), strict=True):
    image = ax.imshow(
        tensor[0], cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto"
    )
    ax.set_yticks([0, 1], ["3", "5"])
    ax.set_ylabel(name, rotation=0, labelpad=12)
axes[-1].set_xlabel("coordinate (0 to 15)")
fig.colorbar(image, ax=axes, shrink=0.8, label="value")
fig.suptitle("Queries, keys and values for the tokens 3 and 5")
plt.show()

# %% [markdown]
# ## Steps 5 and 6: scores and weights
#
# Each query is compared with each key, $s_{ij} = q_i \cdot k_j / \sqrt{d}$, and a softmax over $j$
# turns row $i$ into weights $\alpha_{ij} \ge 0$ that sum to 1:
#
# $$\alpha_{ij} = \frac{\exp s_{ij}}{\exp s_{i1} + \exp s_{i2}} .$$
#
# With only two keys, the weights depend on the *difference* of the two scores in a row:
# $\alpha_{i1} = \sigma(s_{i1} - s_{i2})$, the logistic function. Equal scores give $\tfrac12$ each.

# %%
scores, weights = (
    steps.scores[0],
    steps.weights[0],
)  # (2, 2): row query, column key
print("scores Q K^T / sqrt(16):")
print(scores)
print("weights (rows: the tokens 3 and 5 as queries):")
print(weights)
print("row sums:", weights.sum(-1).tolist())
torch.testing.assert_close(weights.sum(-1), torch.ones(2))
torch.testing.assert_close(weights, torch.softmax(scores, dim=-1))
print("rows sum to 1, and the weights are the softmax of the scores: checked")

# %% [markdown]
# ## Steps 7 and 8: the attended output and the answer
#
# Each token's output is its row of weights times the values, $A_i = \sum_j \alpha_{ij} v_j$: a
# weighted average of the two value vectors. The network reads $A_1$ and $A_2$ side by side (32
# numbers) and returns one number, which is scaled back by 99.

# %%
attended = weights @ steps.value[0]  # (2, 16): the weighted average, by hand
torch.testing.assert_close(attended, steps.attended[0])
print("A = weights @ V, by hand, equals the model's attended output: checked")
prediction = steps.prediction.item()
print(
    f"prediction: {prediction:.3f}, rounded: {round(prediction)}, expected: {3 + 5}"
)

fig, (ax1, ax2, ax3) = plt.subplots(
    1,
    3,
    figsize=(7, 2.4),
    layout="constrained",
    gridspec_kw={"width_ratios": [1, 1, 0.8]},
)
for ax, matrix, title in ((ax1, scores, "scores"), (ax2, weights, "weights")):
    ax.imshow(matrix, cmap="Blues", vmin=min(0, matrix.min().item()), vmax=1)
    for i in range(2):
        for j in range(2):
            ax.text(j, i, f"{matrix[i, j]:.3f}", ha="center", va="center")
    ax.set_xticks([0, 1], ["key 3", "key 5"])
    ax.set_yticks([0, 1], ["query 3", "query 5"])
    ax.set_title(title)
bars = ax3.bar(
    ["model", "3 + 5"], [prediction, 8], color=["tab:blue", "tab:gray"]
)
ax3.bar_label(bars, fmt="%.2f")
ax3.set_ylim(0, 10)
ax3.set_title("the answer")
plt.show()

# %% [markdown]
# The weights are all close to $\tfrac12$: each token takes an almost even average of the two values.
# Is that an accident of $3$ and $5$? The next cells look at many pairs.
#
# ## How well does it add?
#
# First the plain score: pairs from the training range that the model never saw (drawn from a
# separate random stream).

# %%
held_out = adding.evaluate(model, num_pairs=2000)
print(f"held-out pairs from 0..99 added correctly: {held_out:.2%}")

# %% [markdown]
# ## What did it learn to attend to?
#
# Run a grid of pairs through the model and collect the weight that the first token puts on itself,
# $\alpha_{11}$ (the others follow: $\alpha_{12} = 1 - \alpha_{11}$, and likewise for the second
# row). The grid covers $0 \dots 99$, the training range, and goes on to $297$, to see what happens to
# numbers the model never saw.

# %%
values = torch.arange(0, 300, 3)  # 100 values per axis: 0, 3, ..., 297
grid = torch.cartesian_prod(values, values)  # (10000, 2): pairs (a, b)
with torch.no_grad():
    all_weights = model.forward_with_steps(grid).weights  # (10000, 2, 2)
self_weight = all_weights[:, 0, 0].reshape(
    100, 100
)  # alpha_11: a rows, b columns
inside = (grid <= 99).all(-1)  # both operands in the training range
distance = (all_weights[inside] - 0.5).abs().max().item()
print(
    f"largest distance of any weight from 1/2, training range: {distance:.4f}"
)
low, high = self_weight.min().item(), self_weight.max().item()
print(f"alpha_11 on the whole grid: from {low:.3f} to {high:.3f}")

fig, ax = plt.subplots(figsize=(4.4, 3.4), layout="constrained")
image = ax.imshow(
    self_weight,
    origin="lower",
    cmap="RdBu_r",
    vmin=0.4,
    vmax=0.6,
    extent=(0, 300, 0, 300),
)
ax.plot([0, 99, 99, 0, 0], [0, 0, 99, 99, 0], color="black", lw=1)
ax.text(50, 108, "training range", ha="center", fontsize=8)
ax.set_xlabel("second number b")
ax.set_ylabel("first number a")
ax.set_title("weight of the first token on itself")
fig.colorbar(image, ax=ax, label="weight")
plt.show()

# %% [markdown]
# Inside the box the map is flat at one half: whatever the pair, the model takes an even average of
# the two values. (Outside it the weights drift; we come back to that below.) The even average is not
# laziness; it is the solution. Each value is an affine function of its number,
# $v_j = x_j\, W_V^\top u + c_j$, so an even average is
#
# $$A_1 = A_2 = \tfrac12 (v_1 + v_2) = \frac{x_1 + x_2}{2}\, W_V^\top u + \tfrac12 (c_1 + c_2),$$
#
# which depends on the two numbers only through their sum. Any other weighting mixes in
# $x_1 - x_2$, which the network would then have to undo.
#
# ## Is attention needed at all?
#
# Reading a map is not proof; changing the model is. Four variants, each measured on the same held-out
# pairs:
#
# 1. the trained model as it is;
# 2. the same trained weights, but the attention weights replaced by exactly $\tfrac12$ (no retraining);
# 3. a model trained from scratch with the weights fixed at $\tfrac12$ (`attention="uniform"`);
# 4. a model trained from scratch with no attention: the weights are the identity matrix, so each token
#    keeps its own value and the tokens never mix (`attention="none"`); the network still sees both.


# %%
def switched(setting):
    """The trained model with its attention replaced, without retraining."""
    other, _ = adding.train_adding()  # a fresh copy of the same trained model
    other.attention = setting
    return other


variants = {
    "trained": model,
    "trained, weights 1/2": switched("uniform"),
    "uniform, retrained": adding.train_adding(attention="uniform")[0],
    "no attention, retrained": adding.train_adding(attention="none")[0],
    "trained, weights identity": switched("none"),
}
for name, variant in variants.items():
    print(f"{name:>25}: {adding.evaluate(variant):.2%} of held-out pairs right")

# %% [markdown]
# Replacing the learned weights by exactly one half changes nothing measurable, which confirms the
# map: the weights *are* an even average. The two models trained without learned attention add just as
# well, so attention is not needed for this task: the network after it already sees both numbers. The
# last line shows what the trained model does depend on: forbid the mixing (identity weights) and it
# falls apart, because its network was trained to read averages.
#
# ## Numbers larger than any it has seen
#
# Training used operands up to 99. Draw both operands from ranges in and beyond that, and count how
# many sums come out right.

# %%
ranges = [(0, 49), (50, 99), (100, 149), (150, 199), (200, 249), (250, 299)]
shown = [
    "trained",
    "trained, weights 1/2",
    "uniform, retrained",
    "no attention, retrained",
]
by_size = {
    name: adding.accuracy_by_size(variants[name], ranges) for name in shown
}
print("fraction of sums right; both operands drawn from the range")
print(
    f"{'operands':>23}"
    + "".join(f"{f'{low}..{high}':>9}" for low, high in ranges)
)
for name in shown:
    print(
        f"{name:>23}" + "".join(f"{by_size[name][r][0]:>9.2f}" for r in ranges)
    )

fig, ax = plt.subplots(figsize=(6.5, 3), layout="constrained")
centres = [(low + high) / 2 for low, high in ranges]
for name, style in zip(shown, ["o-", "s--", "^-", "v:"], strict=True):
    ax.plot(centres, [by_size[name][r][0] for r in ranges], style, label=name)
ax.axvspan(0, 99, color="0.9", zorder=0)
ax.text(50, 0.5, "training range", ha="center", color="0.4")
ax.set_xlabel("size of both operands (middle of the range)")
ax.set_ylabel("fraction right")
ax.legend(fontsize=8, loc="lower left")
plt.show()

# %% [markdown]
# Inside the training range every variant adds. Past it, they fail, each at its own point; nothing in
# training asked them to do otherwise. Two causes are mixed here. The scores are computed from the
# scaled numbers $x_i$, which never exceeded 1 in training; for larger numbers the weights drift away
# from one half (the map above, and the lines printed below), and the averages they make are ones the
# network never saw. But the row "trained, weights 1/2" shows that this drift is the smaller cause:
# with the weights forced back to one half the trained model fails almost as soon. The larger cause
# is the network: its ReLU units were fitted on inputs from the training range, and beyond it they
# extrapolate with whatever linear pieces they happened to end up with. The model trained with uniform
# weights happens to extrapolate furthest. Extrapolation is luck here, not design.

# %%
for pair in ([3, 5], [90, 20], [280, 20]):
    with torch.no_grad():
        w = model.forward_with_steps(torch.tensor([pair])).weights[0]
    first_row = [round(x, 4) for x in w[0].tolist()]
    print(f"{str(pair):>10}: the first token's weights {first_row}")

# %% [markdown]
# ## What to take away
#
# - Every step of attention is a few lines of arithmetic: scores $QK^\top/\sqrt d$, a softmax per row
#   (rows sum to 1, asserted above), a weighted average of the values.
# - The model learned to attend evenly, because an even average of values that are linear in the
#   numbers *is* their sum, up to scale. The weights can be replaced by one half without changing a
#   single held-out answer.
# - Attention was not needed: trained without it, the same network adds as well. Outside the training
#   range, the learned scores drift and with them the weights, one more way to fail on inputs the
#   model never saw.
# - Attention earns its place when *which* token to read depends on the input: copying, reversing,
#   looking up. The next notebook, [reversing a sequence](../reversing-a-sequence/), is such a task.
