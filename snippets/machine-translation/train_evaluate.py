# Train the encoder-decoder (or load it from the cache) and count the
# held-out sentences it translates exactly, by the number of adjectives.
# A model stopped after 200 steps shows where the errors start.
from collections import Counter

from attention_book.tasks import mt_extras, translation

model, history = translation.train_translation(seed=0)  # 800 steps
early, early_history = translation.train_translation(seed=0, steps=200)
print(f"final training loss: 800 steps {history.losses[-1]:.4f}, "
      f"200 steps {early_history.losses[-1]:.4f}")  # fmt: skip

sentences = translation.held_out_sentences(1000)  # never seen in training
right = {}
for name, m in (("800", model), ("200", early)):
    right[name] = mt_extras.exact_matches(m, sentences)  # greedy, batched
    share = sum(right[name]) / len(sentences)
    print(f"exact match, {name} steps: {share:.1%}")

adjectives = [sum(w in translation.ADJECTIVES for w in s) for s in sentences]
print("adjectives  sentences  exact (800 steps)  exact (200 steps)")
for k, total in sorted(Counter(adjectives).items()):
    cells = [
        sum(r for r, a in zip(right[n], adjectives, strict=True) if a == k)
        / total
        for n in ("800", "200")
    ]
    print(f"{k:>10}  {total:>9}  {cells[0]:>17.1%}  {cells[1]:>17.1%}")

# The first wrong word of each mistake of the 200-step model, by kind.
kinds = {"le": "determiner", "la": "determiner", "un": "determiner",
         "une": "determiner", "</s>": "length"}  # fmt: skip
kinds |= {f: "noun" for f, _ in translation.NOUNS.values()}
kinds |= {f: "adjective" for fs in translation.ADJECTIVES.values() for f in fs}
kinds |= {f: "verb" for f in translation.VERBS.values()}
vocab = translation.vocabulary()
ids = mt_extras.greedy(early, mt_extras.encode_sentences(sentences))
first_error = Counter()
for row, words in zip(ids, sentences, strict=True):
    reference = translation.reference_translation(words)[0] + ["</s>"]
    output = vocab.decode_target(row[1:]) + ["</s>"]
    for want, got in zip(reference, output, strict=False):
        if want != got:
            first_error[kinds[want]] += 1
            break
print("first wrong word of a mistake, 200 steps:")
for kind, count in first_error.most_common():
    print(f"  {kind}: {count}")
