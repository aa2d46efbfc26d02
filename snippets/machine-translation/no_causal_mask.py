# The same model, data and optimizer, but the decoder's self-attention is
# not causal. Teacher forcing then lets position t read the word it must
# predict: the loss looks healthy, and greedy decoding writes nothing.
import torch

from attention_book import padding_mask_from_ids
from attention_book.tasks import mt_extras, translation

torch.manual_seed(0)
torch.set_num_threads(1)  # tiny tensors: one thread is the fastest
PAD = translation.PAD
good, good_history = translation.train_translation(seed=0)
bad, bad_history = mt_extras.train_without_causal_mask(seed=0)
models = {"causal": good, "not causal": bad}
print(f"final training loss: causal {good_history.losses[-1]:.4f}, "
      f"not causal {bad_history.losses[-1]:.4f}")  # fmt: skip

source, target = translation.make_batch(torch.Generator().manual_seed(7), 500)
target_in, target_out = target[:, :-1], target[:, 1:]
real = target_out != PAD
sentences = translation.held_out_sentences(500)
for name, model in models.items():
    with torch.no_grad():
        logits = model(source, target_in,
                       src_mask=padding_mask_from_ids(source, PAD))  # fmt: skip
    right = (logits.argmax(-1) == target_out)[real].float().mean()
    exact = sum(mt_extras.exact_matches(model, sentences)) / len(sentences)
    print(f"{name}, teacher-forced next-word accuracy: {right:.1%}")
    print(f"{name}, greedy exact match: {exact:.1%}")

sentence = "a small green cow eats the wolf"
print("greedy, not causal:", translation.translate(bad, sentence))

# Why: change the word at position 1 of the decoder's input (une -> loup)
# and look at the prediction of position 0, which should not depend on it.
vocab = translation.vocabulary()
src = mt_extras.encode_sentences([sentence])  # (1, S)
words = translation.reference_translation(sentence)[0]
tgt = torch.tensor([[translation.BOS, *vocab.encode_target(words)]])
changed = tgt.clone()
changed[0, 1] = vocab.encode_target(["loup"])[0]
for name, model in models.items():
    with torch.no_grad():
        before = model(src, tgt)[0, 0].argmax().item()
        after = model(src, changed)[0, 0].argmax().item()
        alone = model(src, tgt[:, :1])[0, 0].argmax().item()  # <s> only
    print(f"{name}: position 0 -> {vocab.target[before]!r}; "
          f"'loup' at 1 -> {vocab.target[after]!r}; "
          f"<s> alone -> {vocab.target[alone]!r}")  # fmt: skip
