"""An illustrative alignment for "The cat sat on the mat" -> "Le chat s'est assis sur le tapis".

Written by hand, not learned: each row says which English words a French word needs, as a distribution.
"""

from matplotlib.figure import Figure

from attention_book.viz import plot_attention

SOURCE = ["The", "cat", "sat", "on", "the", "mat"]
TARGET = ["Le", "chat", "s'est", "assis", "sur", "le", "tapis"]
# Each French word (row) spreads one unit of weight over the English words (columns).
NEEDS = {
    "Le": {"The": 0.6, "cat": 0.4},  # the article agrees with the noun: chat is masculine
    "chat": {"cat": 1.0},
    "s'est": {"sat": 0.7, "cat": 0.3},  # tense and person of the verb, from its subject
    "assis": {"sat": 1.0},
    "sur": {"on": 1.0},
    "le": {"the": 0.6, "mat": 0.4},  # tapis is masculine
    "tapis": {"mat": 1.0},
}


def alignment() -> list[list[float]]:
    rows = [[NEEDS[word].get(source, 0.0) for source in SOURCE] for word in TARGET]
    assert all(abs(sum(row) - 1.0) < 1e-9 for row in rows)
    return rows


def draw() -> Figure:
    fig = plot_attention(
        alignment(),
        row_labels=TARGET,
        col_labels=SOURCE,
        title="Illustrative alignment (by hand, not learned)",
    )
    ax = fig.axes[0]
    ax.set_xlabel("English source word")
    ax.set_ylabel("French target word")
    return fig
