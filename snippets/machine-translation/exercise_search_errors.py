# Search error or model error? For each held-out sentence that greedy
# decoding gets wrong, compare the log-probability the model gives to the
# reference with the one it gives to its own greedy output.
import torch

from attention_book import padding_mask_from_ids
from attention_book.tasks import mt_extras, translation

BOS, EOS, PAD = translation.BOS, translation.EOS, translation.PAD
torch.manual_seed(0)
torch.set_num_threads(1)  # tiny tensors: one thread is the fastest
model, _ = translation.train_translation(seed=0, steps=200)
vocab = translation.vocabulary()


@torch.no_grad()
def log_prob(source, targets):
    """log p(y | x) of whole targets, one pass of teacher forcing."""
    rows = [[BOS, *vocab.encode_target(t), EOS] for t in targets]
    T = max(map(len, rows))
    ids = torch.tensor([r + [PAD] * (T - len(r)) for r in rows])  # (N, T)
    logits = model(source, ids[:, :-1],
                   src_mask=padding_mask_from_ids(source, PAD))  # fmt: skip
    log_p = logits.log_softmax(-1).gather(-1, ids[:, 1:, None])[..., 0]
    return (log_p * (ids[:, 1:] != PAD)).sum(-1)  # (N,)


sentences = translation.held_out_sentences(500)
source = mt_extras.encode_sentences(sentences)  # (N, S)
outputs = [vocab.decode_target(row) for row in mt_extras.greedy(model, source)]
references = [translation.reference_translation(s)[0] for s in sentences]
wrong = [
    i
    for i, (o, r) in enumerate(zip(outputs, references, strict=True))
    if o != r
]
ref_score = log_prob(source[wrong], [references[i] for i in wrong])
out_score = log_prob(source[wrong], [outputs[i] for i in wrong])
search = int((ref_score > out_score).sum())
print("greedy mistakes:", len(wrong))
print(f"search errors (the reference is more probable): {search}")
print(f"model errors (the mistake is more probable): {len(wrong) - search}")
