# Greedy decoding, one step at a time: what the decoder reads at each step
# and the two words it finds most likely next. Then the same logits from
# one teacher-forced pass: training is parallel, decoding is sequential.
import torch

from attention_book import padding_mask_from_ids
from attention_book.tasks import translation

torch.manual_seed(0)
model, _ = translation.train_translation(seed=0)
vocab = translation.vocabulary()
sentence = "a small green cow eats the wolf"
source = torch.tensor([vocab.encode_source(sentence.split())])  # (1, S)
src_mask = padding_mask_from_ids(source, translation.PAD)  # (1, 1, S)

target = torch.tensor([[translation.BOS]])  # (1, 1): <s>
steps = []
print(f"step  {'the decoder reads':<40} {'next':<7} p      {'runner-up'}")
with torch.no_grad():
    memory = model.encode(source, src_mask)  # (1, S, d_model), once
    while target[0, -1] != translation.EOS:
        hidden = model.decode(target, memory, src_mask)  # (1, t, d_model)
        steps.append(model.generator(hidden[:, -1]))  # (1, vocab)
        top = steps[-1][0].softmax(-1).topk(2)
        read = " ".join(vocab.target[i] for i in target[0])
        best, second = (vocab.target[i] for i in top.indices)
        print(f"{len(steps):>4}  {read:<40} {best:<7}{top.values[0]:.3f}  "
              f"{second:<7}{top.values[1]:.3f}")  # fmt: skip
        target = torch.cat([target, top.indices[:1][None]], dim=1)

print("translation:", " ".join(vocab.decode_target(target[0])))
assert vocab.decode_target(target[0]) == translation.translate(model, sentence)

# Training computes every position in one call: the decoder reads the whole
# target, and the causal mask keeps each position from seeing the next.
with torch.no_grad():
    parallel = model(source, target[:, :-1], src_mask=src_mask)  # (1, T, V)
sequential = torch.cat(steps)  # (T, V), one row per decoding step
gap = (parallel[0] - sequential).abs().max().item()
assert gap < 1e-4
print("one pass equals step by step (to 1e-4):", gap < 1e-4)
T = len(steps)
print(f"decoder calls: 1 in training, {T} in greedy decoding")
print(f"positions computed: {T} in one pass, "
      f"{T * (T + 1) // 2} step by step without a cache")  # fmt: skip
