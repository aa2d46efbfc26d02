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
# # A tiny causal language model
#
# A large language model does one thing, many times: given the text so far, it gives a probability to
# every possible next token, picks one, appends it, and asks again. This notebook builds the smallest
# model of that kind worth looking at. It invents a language whose rules a reader can check by eye,
# trains a two-layer decoder-only transformer on it in a few seconds, measures how often the model's
# sentences follow the rules, generates with a **KV cache** and checks that the cache changes the speed
# and nothing else, and then opens the model up to see what its attention heads look at.
#
# The cache itself, and what it costs in memory, is the subject of
# [attention in LLMs](../../efficient/attention-in-llms/); this notebook uses it on a model of its own.
# Download the notebook with the link above, or run it as a script: `python tiny-language-model.py`.

# %%
import time

import matplotlib.pyplot as plt
import torch

from attention_book.tasks import grammar_lm as g

_ = torch.manual_seed(0)
torch.set_num_threads(1)  # tiny tensors: one thread is fastest, and repeatable

# %% [markdown]
# ## A language of brackets
#
# The language has eight tokens: a start token `^`, three kinds of opening bracket `( [ {`, their
# closing brackets `) ] }`, and a full stop. A **sentence** is a non-empty string of brackets that are
# correctly nested, each closed by its own kind, followed by a full stop; a **text** is `^` followed by
# sentences. Linguists call this a Dyck language; it is the skeleton of every programming language and,
# with words instead of brackets, of nested clauses ("the cat that the dog that I saw chased ran").
#
# The sentences are drawn by a random walk. At depth 0, once the sentence has a bracket, it ends with
# probability $p_{\text{end}}$; otherwise a bracket of a random kind opens. Inside brackets, a new
# bracket opens with probability $p_{\text{open}}$ (never deeper than a maximum depth) and otherwise the
# innermost open bracket closes. Every choice is a coin flip except one: **which** closing bracket comes
# is fixed, by a bracket that may stand far back. That is the part a model must look up.

# %%
print(
    f"tokens: {g.SYMBOLS!r}  p_open = {g.P_OPEN}, p_end = {g.P_END},",
    f"max depth = {g.MAX_DEPTH}",
)
texts = g.sample_text(
    torch.Generator().manual_seed(0), batch_size=4, length=g.SEQ_LEN
)
for text in texts:
    print(g.to_text(text))

# %% [markdown]
# The **tokenizer** is one character per token: `encode` turns a string into ids and `to_text` turns ids
# back. The **checker** is the one a reader runs in their head: push each opening bracket on a stack; a
# closing bracket must pop its own kind; at the full stop the stack must be empty.

# %%
ids = g.encode("^([]{}).")
print("ids:", ids.tolist(), "->", g.to_text(ids))
for sentence in ["([]{}).", "([)].", "(()", "{[()]}[].", "."]:
    print(f"{sentence:>10}  valid: {g.is_valid(sentence)}")

# %% [markdown]
# Because the language is defined by a random walk, the probability of every next token is known
# exactly: `next_token_probs` returns it from the walk's state (depth, innermost open bracket, whether
# the sentence has started). So the best loss that any model can reach is known too: the entropy of the
# language, the average of $-\log p(x_{t+1} \mid x_{\le t})$ under the true distribution. A **bigram**
# model, which predicts the next token from the current one only, is the natural baseline: it knows that
# a full stop follows a closing bracket, but not which bracket must close.

# %%
held_out = g.held_out_text(
    num_texts=256
)  # (256, SEQ_LEN), a seed no training run uses
bigram = (
    g.bigram_probs()
)  # (VOCAB, VOCAB): P(next | current), counted on training texts
pairs = (held_out[:, :-1], held_out[:, 1:])
bigram_loss = -bigram[pairs].log().mean().item()
ideal = g.ideal_loss(held_out)
print(f"bigram loss: {bigram_loss:.3f} nats/token")
print(f"ideal loss (the language's entropy): {ideal:.3f} nats/token")

# %% [markdown]
# ## The model
#
# `GrammarLM` is a decoder-only transformer like GPT, in miniature: a token embedding plus the fixed
# sinusoidal position encoding, two pre-norm blocks of causal multi-head attention (four heads each) and
# a feed-forward network, a final LayerNorm and a linear read-out to eight logits. The blocks are the
# library's own (`DecoderLayer`, built on `MultiHeadAttention`). Causal masking means position $t$
# attends only to positions $\le t$, so the one forward pass over a text trains every next-token
# prediction at once:
#
# $$\mathcal{L} = -\frac{1}{T} \sum_{t=1}^{T} \log p_\theta(x_{t} \mid x_{<t}).$$
#
# `train_grammar_lm` trains it with Adam on one thread, on texts of `SEQ_LEN` tokens. The result is cached
# on disk, so the page, its tests and your second run share one training; the first run takes seconds.

# %%
start = time.perf_counter()
model, history = g.train_grammar_lm()
elapsed = time.perf_counter() - start
parameters = sum(p.numel() for p in model.parameters())
print(
    f"parameters: {parameters}, steps: {history.steps},",
    f"trained or loaded in {elapsed:.1f} s",
)

with torch.no_grad():
    logits = model(held_out[:, :-1])  # (256, SEQ_LEN - 1, VOCAB)
model_loss = torch.nn.functional.cross_entropy(
    logits.transpose(1, 2), held_out[:, 1:]
).item()
print(
    f"model loss on held-out texts: {model_loss:.3f} nats/token",
    f"(ideal {ideal:.3f})",
)

# %%
fig, ax = plt.subplots(figsize=(6, 3), dpi=90)
ax.plot(history.losses, lw=1, label="training loss")
ax.axhline(bigram_loss, color="tab:red", ls="--", lw=1, label="bigram")
ax.axhline(ideal, color="black", ls=":", lw=1, label="ideal (entropy)")
ax.set(xlabel="step", ylabel="nats per token", ylim=(ideal - 0.1, 2.2))
ax.legend(frameon=False)
fig.tight_layout()
plt.show()

# %% [markdown]
# The loss drops to the bigram line within a few dozen steps: using the current token is easy. Going
# below it takes longer, because that needs the tokens further back; the last stretch, down towards the
# dotted line, is the model learning which bracket to close, and the gap that is left is what it still
# gets wrong. The gap between the held-out loss printed above and the ideal loss is small,
# but a loss is an average over every token, and most tokens are coin flips that no model can predict.
# The rules are better tested by generation.

# %% [markdown]
# ## How grammatical are its sentences?
#
# Generate from `^`, sampling each token from the model's distribution (temperature 1), and keep the
# first sentence of each text, up to its full stop. The checker then says which sentences are valid.
# Three references put the number in context: an **untrained** model of the same shape, the **bigram**
# model, and the **language itself**, whose own sentences fail only when they are still open when the
# text runs out of room.

# %%
new_tokens = g.SEQ_LEN - 1  # generate up to the length the model was trained on
prompt = torch.full((512, 1), g.BOS)  # 512 texts, each starting with ^


def sample(lm: g.GrammarLM, use_cache: bool = True) -> torch.Tensor:
    generator = torch.Generator().manual_seed(1)
    return g.generate(
        lm, prompt, new_tokens, use_cache=use_cache, generator=generator
    )


generated = sample(model)  # (512, SEQ_LEN)
by_bigram = g.sample_bigram(
    bigram, 512, new_tokens, torch.Generator().manual_seed(1)
)
sentences = {
    "trained model": g.first_sentences(generated),
    "untrained model": g.first_sentences(sample(g.initial_model())),
    "bigram": g.first_sentences(by_bigram),
    "the language": g.first_sentences(g.held_out_text(512, g.SEQ_LEN, seed=1)),
}
print(f"{'':>16} {'valid':>6} {'unfinished':>10} {'broke a rule':>12}")
for name, group in sentences.items():
    valid = 100 * g.valid_fraction(group)
    unfinished = 100 * sum(map(g.is_unfinished, group)) / len(group)
    print(
        f"{name:>16} {valid:5.1f}% {unfinished:9.1f}%",
        f"{100 - valid - unfinished:11.1f}%",
    )

# %% [markdown]
# A sentence that fails the checker has either broken a rule (closed the wrong bracket, ended too early)
# or is merely **unfinished**: still open when the text ran out of room, with nothing wrong so far. The
# language itself has only unfinished failures, by construction. The untrained model scatters tokens
# almost at random. The bigram model writes short sentences that are often fine and longer ones that
# close the wrong bracket, since it cannot see which bracket is open. The trained model comes close to
# the language's own numbers. Here are a few of its sentences, and the ones that broke a rule:

# %%
for sentence in sentences["trained model"][:4]:
    print("   ", sentence)
broken = [
    s
    for s in sentences["trained model"]
    if not (g.is_valid(s) or g.is_unfinished(s))
]
print(f"{len(broken)} of {len(generated)} broke a rule; the first few:")
for sentence in broken[:4]:
    print("   ", sentence)

# %% [markdown]
# ## Generation with a KV cache
#
# Without a cache, every step runs the whole text through the model again, although the keys and values
# of the old positions are exactly what they were one step before. With the cache
# (`KVCache`, one per layer, in a `DecodingState`), the prompt is run once and then each step feeds only
# the new token: its query attends to the cached keys and values plus its own. The numbers are the same
# up to floating-point rounding, so the same tokens should come out. The sentences above were generated
# with the cache; here is the same sampling (same seed) without it, compared token for token.

# %%
uncached = sample(model, use_cache=False)
same = torch.equal(generated, uncached)
print("identical with and without the cache:", same)
assert same

# %% [markdown]
# Now the speed: one text at a time, the way a chat model serves one user, timed at three lengths.
# Without the cache step $t$ costs a forward pass over $t$ tokens, so a text of $n$ tokens costs
# $\sum_t t \approx n^2/2$ token passes; with the cache each step is one token, $n$ in all (plus the
# attention over the cached keys, which is cheap at this size). The speed of a step does not depend on
# what the weights have learned, so the longer texts, past the length the model was trained on, measure
# the cost fairly even though the text there is no longer grammatical. **Timings vary** from machine to
# machine and run to run: read the ratios, not the digits.


# %%
def tokens_per_second(length: int, use_cache: bool) -> float:
    start = time.perf_counter()
    g.generate(
        model, torch.full((1, 1), g.BOS), length - 1, use_cache=use_cache
    )
    return (length - 1) / (time.perf_counter() - start)


lengths = [32, 128, 512]
speeds = {
    flag: [tokens_per_second(n, flag) for n in lengths]
    for flag in (True, False)
}
print(f"{'tokens':>6} {'with cache':>11} {'without':>9} {'ratio':>6}")
for n, cached, plain in zip(lengths, speeds[True], speeds[False], strict=True):
    print(f"{n:>6} {cached:>9.0f}/s {plain:>7.0f}/s {cached / plain:>5.1f}x")

# %%
fig, ax = plt.subplots(figsize=(6, 3), dpi=90)
ax.plot(lengths, speeds[True], "o-", label="with KV cache")
ax.plot(lengths, speeds[False], "s--", label="without (recompute the prefix)")
ax.set(
    xscale="log",
    xlabel="tokens generated",
    ylabel="tokens per second",
    ylim=(0, None),
)
ax.minorticks_off()
ax.set_xticks(lengths, [str(n) for n in lengths])
ax.legend(frameon=False)
fig.tight_layout()
plt.show()

# %% [markdown]
# With the cache the speed stays roughly flat as the text grows; without it, it falls, because every new
# token pays for the whole prefix again. The ratio in the last column grows with the length. At this size
# the cached step is mostly Python and kernel-launch overhead, so the ratio is modest; in a real model with
# thousands of tokens of context it is the difference between usable and not.
#
# ## What the heads look at
#
# To predict the next token inside brackets, the model must know which bracket is innermost and still
# open: that is the one the next closing bracket must match. A stack finds it; attention can too, if a
# head learns to put its weight there. The figure shows every head's weights on one generated text: row
# $t$ is the query at position $t$, column $s$ the key, and the circles mark, for each row, the
# innermost bracket still open after position $t$ (`innermost_open`) with a red circle.

# %%
inside_counts = (g.innermost_open(generated[:64, :18]) >= 0).sum(
    1
)  # (64,) positions inside
example = generated[
    int(inside_counts.argmax()), :18
]  # 18 tokens that stay inside brackets
labels = list(g.to_text(example))
with torch.no_grad():
    _, weights = model.forward_with_weights(
        example[None]
    )  # (layers, 1, heads, T, T)
innermost = g.innermost_open(example[None])[0]  # (T,)
inside = (innermost >= 0).nonzero().flatten()

fig, axes = plt.subplots(
    2, 4, figsize=(7, 4.2), dpi=100, sharex=True, sharey=True
)
for (layer, head), ax in zip(
    [(i, j) for i in range(2) for j in range(4)], axes.flat, strict=True
):
    ax.imshow(weights[layer, 0, head], cmap="viridis", vmin=0, vmax=1)
    ax.scatter(
        innermost[inside],
        inside,
        s=14,
        facecolors="none",
        edgecolors="tab:red",
        lw=0.8,
    )
    ax.set_title(f"layer {layer} head {head}", fontsize=9)
    ax.set_xticks(range(len(labels)), labels, fontsize=8, family="monospace")
    ax.set_yticks(range(len(labels)), labels, fontsize=8, family="monospace")
    ax.tick_params(length=0, pad=1)
fig.tight_layout()
plt.show()
print("text:", "".join(labels))

# %% [markdown]
# One picture can mislead, so measure on many texts. For each head, `attention_scores` averages over the
# held-out texts: the weight on the innermost open bracket, at the positions inside brackets ("on
# innermost"); how often that bracket gets the head's largest weight ("top=innermost"); the weight on the
# previous token; and the weight on `^`.
# For comparison, the cell also prints what a head that spread its weight evenly, $1/(t+1)$ on each key
# of query $t$, would put on the innermost open bracket.

# %%
scores = g.attention_scores(model, held_out[:64])
headers = [
    "on innermost",
    "top=innermost",
    "previous",
    "BOS",
]  # the four scores
print(f"{'head':>6}" + "".join(f"{name:>14}" for name in headers))
for layer in range(model.num_layers):
    for head in range(4):
        row = "".join(f"{100 * s[layer, head]:13.0f}%" for s in scores.values())
        print(f"{f'L{layer} H{head}':>6}{row}")
position = torch.arange(g.SEQ_LEN).expand(
    64, -1
)  # (64, T): the query's position t
even = (1 / (position + 1.0))[g.innermost_open(held_out[:64]) >= 0].mean()
print(
    f"an even spread would put {100 * even:.0f}% on the innermost open bracket"
)
best = divmod(int(scores["innermost open"].argmax()), 4)
print("the bracket-matching head: layer {} head {} (from 0)".format(*best))
assert best[0] == 1  # it is in the second layer

# %% [markdown]
# The first layer has no bracket-matching head: its heads spread their weight over the text. That is
# one way attention can count: a head that averages over all earlier tokens can tell how many brackets
# are open so far. The second layer has what the first lacks: the head named on the last line puts far
# more weight on the innermost open bracket than an even spread would, and on many positions that bracket
# is the single key it looks at most; in the figure its bright cells sit on the circles. It does the job
# of the checker's stack, found by gradient descent. A plausible division of labour, and the reason the
# model has two layers: the depth of each bracket must be known before a head can look for the open
# bracket at the right depth.
#
# ## Things to try
#
# - Train with one layer, `g.train_grammar_lm(num_layers=1)`, and compare the share of sentences that
#   broke a rule. Can a single layer both count the depth and look up the bracket at that depth?
# - Sample at a lower temperature (`g.generate(..., temperature=0.5)`): do fewer sentences break a rule,
#   and what happens to their variety?
# - Time the cache at larger batch sizes: the weights are read once per step for the whole batch, so
#   tokens per second grow with the batch until the cache, not the weights, fills the memory traffic.
