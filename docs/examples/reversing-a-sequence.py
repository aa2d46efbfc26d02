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
# # Reversing a sequence
#
# Give the model a string of digits, `3 1 4 1 5`, and ask for it backwards, `5 1 4 1 3`. To write its
# output step $t$, a sequence-to-sequence model must read source position $n - 1 - t$, counting from 0,
# where $n$ is the length. The first digit out is the last one in, the last out the first in. If the
# model learns this with attention, its weights should show it: one weight per (output step, source
# position), large on the **anti-diagonal** and small elsewhere. Nobody tells it where to look; the
# only training signal is the digit it should write.
#
# The chapter [Why attention](../../foundations/why-attention/) measured the bottleneck of the
# encoder-decoder on *copying* digits, token by token. This notebook takes the harder order, draws the
# alignment the model learns, measures how often its largest weight is on the right digit, and scores
# both single tokens and whole sequences, on lengths seen in training and on longer ones.

# %%
import matplotlib.pyplot as plt
import torch

from attention_book.tasks import reversal
from attention_book.tasks.seq2seq import alignment_accuracy, make_batch

plt.rcParams.update({"figure.dpi": 90, "font.size": 9})
torch.set_num_threads(
    1
)  # tiny tensors: one thread is fastest, and deterministic

examples = torch.Generator().manual_seed(5)
for _ in range(
    3
):  # three batches of one sequence; each draws a length in 1..16
    source, target = make_batch(
        examples, "reverse", batch_size=1, max_length=16
    )
    print("source:", " ".join(map(str, source[0].tolist())))
    print("target:", " ".join(map(str, target[0].tolist())), "\n")

# %% [markdown]
# ## The data
#
# Source strings are random digits $0 \dots 9$, of a length drawn from $1 \dots 16$ anew for every
# training batch; the target is the same string reversed. Data is made on the fly, so the model never
# sees the same batch twice, and evaluation uses a separate random stream.
#
# ## The model
#
# The encoder-decoder of Part I, with one change that Bahdanau, Cho and Bengio made in the paper that
# introduced attention: a **bidirectional** encoder. One GRU reads the digits left to right, another
# right to left, and the *annotation* of position $j$ is the two states side by side,
#
# $$h_j = [\overrightarrow{h}_j;\ \overleftarrow{h}_j], \qquad j = 0, \dots, n - 1 .$$
#
# This matters for reversing. A left-to-right state knows how far position $j$ is from the *start*;
# output step $t$ needs the position $t$ steps from the *end*, which only a state that has read the
# source backwards can know. The decoder is a GRU that, after writing $y_{t-1}$, has the state $s_t$,
# scores every annotation with additive attention, and reads the weighted average:
#
# $$e_{tj} = v^\top \tanh(W_s s_t + W_h h_j), \qquad
#   \alpha_{tj} = \operatorname{softmax}_j(e_{tj}),$$
#
# $$c_t = \sum_j \alpha_{tj} h_j, \qquad
#   p(y_t \mid y_{<t}, x) = \operatorname{softmax}(W_o [s_t; c_t]) .$$
#
# The model **without attention** is the same network reading a fixed context instead of $c_t$: the
# forward state after the last digit next to the backward state after the first, the two that have
# read the whole string. All states are 32 numbers wide, in both models.
#
# ## Training
#
# Both models train for 800 steps of 64 sequences, with teacher forcing (the decoder is fed the right
# previous digit) and cross-entropy. Each takes seconds on one CPU thread, once; later runs load them
# from a disk cache.

# %%
models, histories = {}, {}
for name, attention in (("attention", "additive"), ("no attention", None)):
    models[name], histories[name] = reversal.train_reversal(attention)
    size = sum(p.numel() for p in models[name].parameters())
    losses = histories[name].losses
    print(
        f"{name:>12}: {size} parameters, loss {losses[0]:.2f} -> {losses[-1]:.3f}"
    )

fig, ax = plt.subplots(figsize=(6, 2.6), layout="constrained")
window = (
    25  # running mean: each batch has its own length, so the raw loss is noisy
)
for name, history in histories.items():
    curve = torch.tensor(history.losses).unfold(0, window, 1).mean(-1)
    ax.plot(range(window, history.steps + 1), curve, label=name)
ax.set_xlabel("training step")
ax.set_ylabel("cross-entropy")
ax.set_yscale("log")
ax.legend()
plt.show()

# %% [markdown]
# The attention model's loss keeps falling; the other falls slowly and stays far above it. The loss averages
# over lengths, though; the sections below split the result by length, as one should.
#
# ## The alignment
#
# Decode a new string greedily (each digit written is fed back in) and keep the weights
# $\alpha_{tj}$: one row per output step, one column per source position. Two strings: one of 10
# digits, inside the training lengths, and one of 24, longer than any string the model was trained on.

# %%
new = torch.Generator().manual_seed(2024)  # not the training stream
fig, axes = plt.subplots(
    1,
    2,
    figsize=(7, 3.4),
    layout="constrained",
    gridspec_kw={"width_ratios": [10, 24]},
)
for ax, n in zip(axes, (10, 24), strict=True):
    source, target = make_batch(new, "reverse", 1, n, n)
    output, weights = models["attention"].generate(source)  # (1, n), (1, n, n)
    right = (output == target).float().mean().item()
    print(f"length {n}, {right:.0%} of the digits right")
    print("  source:", " ".join(map(str, source[0].tolist())))
    print("  output:", " ".join(map(str, output[0].tolist())))
    image = ax.imshow(weights[0], cmap="viridis", vmin=0, vmax=1)
    ax.set_title(f"{n} digits" + (" (longer than training)" if n > 16 else ""))
    ax.set_xlabel("source position j")
    ax.set_xticks(range(0, n, 2 if n <= 10 else 5))
    ax.set_yticks(range(0, n, 2 if n <= 10 else 5))
axes[0].set_ylabel("output step t")
fig.colorbar(image, ax=axes, shrink=0.7, label="weight")
plt.show()

# %% [markdown]
# Each row has one bright cell, and the bright cells run from the top right to the bottom left: the
# anti-diagonal. Output step 0 reads the last source digit, step 1 the one before it, and so on. The
# model found this alignment from the loss alone, and keeps it on the 24-digit string, longer than
# anything it was trained on: attention looks positions up; it does not need to have stored them.
#
# One string is an anecdote. The alignment accuracy counts, over 200 new strings of each length, the
# output steps whose *largest* weight sits exactly on source position $n - 1 - t$.

# %%
lengths_checked = [4, 8, 16, 24, 32]
print("output steps whose largest weight is on source position n - 1 - t:")
for n in lengths_checked:
    share = alignment_accuracy(models["attention"], n, "reverse")
    marker = "" if n <= 16 else "  (longer than training)"
    print(f"length {n:>2}: {share:.1%} of steps{marker}")

# %% [markdown]
# ## Accuracy against length
#
# Now the two models on 100 new strings of every length from 1 to 32, scored two ways: the fraction of
# **digits** written correctly, and the fraction of **whole strings** reversed without a single error.
# The second is the stricter, and the one a user of the model sees.

# %%
lengths = [1, 2, 4, 6, 8, 10, 12, 16, 20, 24, 28, 32]
scores = {
    name: reversal.scores_by_length(m, lengths, num_sequences=100)
    for name, m in models.items()
}
print(f"{'':>6}{'digits right':>26}{'whole strings right':>26}")
print(f"{'length':>6}" + f"{'attention':>14}{'none':>12}" * 2)
for n in lengths:
    a, b = scores["attention"][n], scores["no attention"][n]
    print(f"{n:>6}{a[0]:>14.2f}{b[0]:>12.2f}{a[1]:>14.2f}{b[1]:>12.2f}")

fig, axes = plt.subplots(
    1, 2, figsize=(7, 2.8), sharey=True, layout="constrained"
)
titles = ("digits right", "whole strings right")
for index, (ax, title) in enumerate(zip(axes, titles, strict=True)):
    for name, style in (("attention", "o-"), ("no attention", "s--")):
        ax.plot(
            lengths,
            [scores[name][n][index] for n in lengths],
            style,
            label=name,
        )
    ax.axvspan(0.5, 16.5, color="0.92", zorder=0)
    ax.axhline(0.1 if index == 0 else 0, color="0.6", lw=0.8, ls=":")
    ax.set_title(title)
    ax.set_xlabel("string length")
axes[0].text(8.5, 0.5, "training\nlengths", ha="center", color="0.4")
axes[0].set_ylabel("fraction")
axes[1].legend(loc="center right")
plt.show()

# %% [markdown]
# What the two panels show:
#
# - **Short strings are easy for both.** Up to a few digits, the fixed context holds the whole string,
#   and the model without attention reverses it perfectly.
# - **Without attention, digits fall towards chance** (the dotted line at $1/10$ in the left panel) as the
#   strings grow, because every digit must pass through the same 32 numbers. Its whole-string accuracy
#   collapses long before: a string is right only if *every* digit is.
# - **With attention, both curves stay high through the training lengths and bend past them.** The
#   alignment accuracy above shows why they bend: on long strings the largest weight more often misses
#   the right digit, and one wrong digit spoils the string.
#
# Whole-string accuracy is roughly the digit accuracy raised to the power of the length, if errors are
# independent: with $p$ digits right, $p^n$ strings. The comparison below shows how close that is for the
# attention model; errors that cluster in a few strings make the measured value the larger one.

# %%
for n in (8, 16, 24, 32):
    digits, strings = scores["attention"][n]
    print(
        f"length {n:>2}: strings right {strings:.2f}, p ** n = {digits**n:.2f}"
    )

# %% [markdown]
# ## What to take away
#
# - Reversing needs an alignment that changes with the length of the input: output step $t$ reads
#   position $n - 1 - t$. The model learned it as the anti-diagonal, from the output digits alone.
# - The bidirectional encoder of Bahdanau et al. gives every position a state that knows its distance
#   from the end, which is what the decoder's query must match.
# - Without attention, one fixed vector must hold the string; whole-string accuracy exposes the
#   bottleneck much earlier than digit accuracy does, and far earlier than the average loss.
# - With attention the model keeps working on lengths it never saw, with a slow decline as its
#   alignment starts to slip.
#
# Related chapters: [Why attention](../../foundations/why-attention/) (copying and the bottleneck),
# [Scoring functions](../../foundations/scoring-functions/) (the additive score and the diagonal for
# copying), and the notebook [adding two numbers](../adding-two-numbers/), a task where attention turns
# out not to be needed.
