# Exposure bias: teacher forcing only ever shows the decoder correct
# prefixes. Force one wrong first word (the determiner of the wrong
# gender) and let the trained model continue greedily.
from collections import Counter

from attention_book.tasks import mt_extras, translation

model, _ = translation.train_translation(seed=0)
vocab = translation.vocabulary()
flip = {"le": "la", "la": "le", "un": "une", "une": "un"}
gender = {d: g for pair in translation.DETERMINERS.values()
          for d, g in zip(pair, "mf", strict=True)}  # fmt: skip
noun_gender = dict(translation.NOUNS.values())  # French noun -> "m" / "f"
sentences = translation.held_out_sentences(300)
references = [translation.reference_translation(s)[0] for s in sentences]


def outcome(words, reference, output, wrong):
    after = (output + ["</s>"])[1]  # the word written after the error
    nouns = {translation.NOUNS[w][0] for w in words if w in translation.NOUNS}
    if output[1:] == reference[1:]:
        return "recovers"
    if after == "</s>":
        return "stops at once"
    if after in flip:
        return "writes a second determiner"
    if noun_gender.get(after) == gender[wrong]:
        where = "a source noun" if after in nouns else "a noun not in source"
        return f"agrees with the error, {where}"
    return "other"


outcomes, examples = Counter(), {}
for right, wrong in flip.items():  # one batch per forced word
    rows = [i for i, r in enumerate(references) if r[0] == right]
    source = mt_extras.encode_sentences([sentences[i] for i in rows])
    ids = mt_extras.greedy(model, source, prefix=[wrong])  # (N, T)
    for i, row in zip(rows, ids, strict=True):
        output = vocab.decode_target(row)
        kind = outcome(sentences[i], references[i], output, wrong)
        outcomes[kind] += 1
        examples.setdefault(kind, (references[i], output))
for kind, count in outcomes.most_common():
    reference, output = examples[kind]
    print(f"{kind}: {count / len(sentences):.1%}")
    print("    reference:", " ".join(reference))
    print("    forced:   ", " ".join(output))
