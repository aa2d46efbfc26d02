# Does the model look? Give every question someone else's picture.
import torch

from attention_book.tasks import multimodal as mm

torch.manual_seed(0)
model, _ = mm.train_scene_qa()
# The best a model can do without ever looking: answer each question text
# with its most frequent answer (circles are often red, and so on).
print(f"text alone, best possible: {mm.text_prior_accuracy():.1%}")
print(f"with the right pictures: {mm.evaluate(model):.1%}")
shuffled = mm.evaluate(model, shuffle_images=True)
print(f"with shuffled pictures: {shuffled:.1%}")

# One question, its own picture and a wrong one.
samples = mm.held_out_samples(2000)
question = ("what", "colour", "is", "the", "circle", "?")
first = next(i for i, s in enumerate(samples) if s.question == question)
for label, s in (("own", samples[first]), ("wrong", samples[first + 1])):
    logits, _ = mm.cross_attention(model, [s.scene], [question])
    p = logits.softmax(-1)[0]
    best = p.argsort(descending=True)[:2]  # the two likeliest answers
    top = ", ".join(f"{mm.ANSWERS[i]} {p[i]:.2f}" for i in best)
    print(f"{label} picture: {top}")
