# Does the encoder's vector at the first word ("the" or "a") already carry
# the gender of the subject noun? A linear probe (least squares), fitted
# on 500 held-out sentences and tested on 500 others.
import torch

from attention_book import padding_mask_from_ids
from attention_book.tasks import mt_extras, translation

torch.manual_seed(0)
model, _ = translation.train_translation(seed=0)
sentences = translation.held_out_sentences(1000)
source = mt_extras.encode_sentences(sentences)  # (N, S)
noun = [next(w for w in s if w in translation.NOUNS) for s in sentences]
female = torch.tensor([[translation.NOUNS[w][1] == "f"] for w in noun])

with torch.no_grad():
    embedded = model.embed(source, model.src_embed, "src")  # (N, S, d)
    memory = model.encode(source, padding_mask_from_ids(source, 0))
train, test = slice(0, 500), slice(500, 1000)
for name, states in (("embedding", embedded), ("encoder output", memory)):
    x = torch.cat([states[:, 0], torch.ones(1000, 1)], dim=1)  # (N, d + 1)
    w = torch.linalg.lstsq(x[train], female[train].float()).solution
    guess = x[test] @ w > 0.5  # (500, 1)
    accuracy = (guess == female[test]).float().mean()
    print(f"gender read from the determiner's {name}: {accuracy:.1%}")
