# Which cross-attention head looks at the noun when the decoder writes a
# determiner (le, la, un, une)? Count, over 200 held-out sentences, how
# often each head's largest weight falls on the noun of that phrase.
import torch

from attention_book.tasks import translation

model, _ = translation.train_translation(seed=0)
determiners = {"le", "la", "un", "une"}
hits = torch.zeros(2, 2)  # (layers, heads)
rows = 0
for words in translation.held_out_sentences(200):
    target, alignment = translation.reference_translation(words)
    _, weights = translation.cross_attention(model, words, target)
    for i, word in enumerate(target):
        if word in determiners:  # the noun is the next target word
            noun = alignment[i + 1]  # its position in the source
            hits += weights[:, :, i].argmax(-1) == noun
            rows += 1
share = hits / rows
for layer in range(2):
    for head in range(2):
        print(f"L{layer + 1}H{head + 1}: largest weight on the noun "
              f"{share[layer, head]:.0%}")  # fmt: skip
best = divmod(int(share.argmax()), 2)
print(f"the noun reader: L{best[0] + 1}H{best[1] + 1}")
