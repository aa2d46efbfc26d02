# The text-only floor by hand. A shape takes its usual colour (circle: red,
# square: blue, triangle: green) with probability 1/2, else one of the 4
# colours at random. The four kinds of question are equally likely.
from fractions import Fraction

import torch

from attention_book.tasks import multimodal as mm

torch.manual_seed(0)
usual = Fraction(1, 2) + Fraction(1, 2) * Fraction(1, 4)  # P(red | circle)
stray = Fraction(1, 2) * Fraction(1, 4)  # P(yellow | circle), and so on
# "what colour is the circle ?": answer its usual colour.
colour = usual
# "what shape is the red one ?": red is the circle's usual colour, so answer
# "circle" (Bayes); yellow is no shape's usual colour: a guess among 3.
p_red = (usual + 2 * stray) / 3  # the same for green and blue
shape = 3 * p_red * usual / (usual + 2 * stray) + stray * Fraction(1, 3)
exists, where = Fraction(1, 2), Fraction(1, 4)  # a coin; four quadrants
best = (colour + shape + exists + where) / 4
print(f"what colour: {colour}, what shape: {shape}")
print(f"is there: {exists}, where: {where}")
print(f"by hand: {best} = {float(best):.3f}")
measured = mm.text_prior_accuracy(num_samples=20_000)
print(f"measured on 20000 questions: {measured:.3f}")
