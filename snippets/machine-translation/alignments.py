# Does cross-attention point at the source word that each target word
# translates? Per layer (heads averaged), and per kind of target word,
# over 200 held-out sentences. Determiners are the interesting row.
from collections import Counter

from attention_book.tasks import translation

model, _ = translation.train_translation(seed=0)
kind = {d: "determiner" for forms in translation.DETERMINERS.values()
        for d in forms}  # fmt: skip
kind |= {f: "noun" for f, _ in translation.NOUNS.values()}
kind |= {f: "adjective" for fs in translation.ADJECTIVES.values() for f in fs}
kind |= {f: "verb" for f in translation.VERBS.values()}
hits, totals, on_noun = Counter(), Counter(), 0
layer_hits = [0, 0]
for words in translation.held_out_sentences(200):
    target, aligned = translation.reference_translation(words)
    _, weights = translation.cross_attention(model, words, target)
    peaks = weights.mean(1).argmax(-1).tolist()  # (layers, T): heads averaged
    for layer in (0, 1):
        pairs = zip(peaks[layer], aligned, strict=True)
        layer_hits[layer] += sum(p == a for p, a in pairs)
    for i, word in enumerate(target):  # layer 2 from here on
        hits[kind[word]] += peaks[1][i] == aligned[i]
        totals[kind[word]] += 1
        if kind[word] == "determiner":  # the noun is the next target word
            on_noun += peaks[1][i] == aligned[i + 1]
words_total = sum(totals.values())
for layer in (0, 1):
    print(f"alignment accuracy, layer {layer + 1}: "
          f"{layer_hits[layer] / words_total:.1%}")  # fmt: skip
library = translation.alignment_accuracy(model, layer=1)  # the same count
assert abs(library - layer_hits[1] / words_total) < 1e-9

print("layer 2, peak on the word translated, by kind:")
for k in ("determiner", "noun", "adjective", "verb"):
    print(f"  {k}: {hits[k] / totals[k]:.1%}")
print(f"determiners whose peak is on their noun: "
      f"{on_noun / totals['determiner']:.1%}")  # fmt: skip
