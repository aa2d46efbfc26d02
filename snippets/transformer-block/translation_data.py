# The toy translation task: English in, French words out, with the verb
# moved to the end and the adjectives after their noun, in mirror order.
import torch

from attention_book.tasks import translation

vocabulary = translation.vocabulary()
print("source words:", len(vocabulary.source), " target words:",
      len(vocabulary.target))  # fmt: skip

generator = torch.Generator().manual_seed(0)
for words in translation.sample_sentences(generator, 3):
    target, alignment = translation.reference_translation(words)
    print(" ".join(words))
    print("  ->", " ".join(target))
    print("  target word i translates source word", alignment)

source, target = translation.make_batch(generator, batch_size=4)
print("batch: source", tuple(source.shape), "target", tuple(target.shape))
print("target ids, <s> = 1, </s> = 2, padding = 0:")
print(target)
