# Beam search: keep the `beam` most probable prefixes (by the sum of their
# log-probabilities) instead of one. Compared with greedy decoding on the
# model stopped after 200 steps, which still makes mistakes.
import torch

from attention_book import padding_mask_from_ids
from attention_book.tasks import mt_extras, translation

BOS, EOS, PAD = translation.BOS, translation.EOS, translation.PAD


@torch.no_grad()
def beam_search(model, source, beam=3):
    """Best target ids for one source (1, S), without <s> and </s>."""
    src_mask = padding_mask_from_ids(source, PAD)  # (1, 1, S)
    memory = model.encode(source, src_mask)  # (1, S, d_model)
    alive = [([BOS], 0.0)]  # (prefix, log-probability)
    done = []
    for _ in range(model.max_len - 1):
        prefixes = torch.tensor([p for p, _ in alive])  # (k, t)
        k = len(alive)
        hidden = model.decode(prefixes, memory.expand(k, -1, -1),
                              src_mask.expand(k, -1, -1))  # fmt: skip
        log_p = model.generator(hidden[:, -1]).log_softmax(-1)  # (k, V)
        scores = torch.tensor([s for _, s in alive])[:, None] + log_p
        top = scores.flatten().topk(beam)
        alive = []
        for score, index in zip(top.values.tolist(), top.indices.tolist(),
                                strict=True):  # fmt: skip
            row, token = divmod(index, log_p.shape[1])
            prefix = prefixes[row].tolist() + [token]
            (done if token == EOS else alive).append((prefix, score))
        best_done = max((s for _, s in done), default=-float("inf"))
        if not alive or max(s for _, s in alive) < best_done:
            break  # scores only fall: no live prefix can win any more
    prefix, _ = max(done or alive, key=lambda pair: pair[1])
    return [i for i in prefix if i not in (BOS, EOS)]


torch.manual_seed(0)
torch.set_num_threads(1)  # tiny tensors: one thread is the fastest
model, _ = translation.train_translation(seed=0, steps=200)
vocab = translation.vocabulary()
sentences = translation.held_out_sentences(150)
greedy_right = mt_extras.exact_matches(model, sentences)
beam_right = []
for words in sentences:
    ids = beam_search(model, mt_extras.encode_sentences([words]), beam=3)
    wanted = translation.reference_translation(words)[0]
    beam_right.append(vocab.decode_target(ids) == wanted)
print(f"greedy exact match: {sum(greedy_right) / len(sentences):.1%}")
print(f"beam 3 exact match: {sum(beam_right) / len(sentences):.1%}")
fixed = sum(b and not g for g, b in zip(greedy_right, beam_right, strict=True))
broken = sum(g and not b for g, b in zip(greedy_right, beam_right, strict=True))
print(f"sentences fixed by the beam: {fixed}, broken by it: {broken}")
