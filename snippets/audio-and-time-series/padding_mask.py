# Clips of different lengths share a batch by padding the short ones with
# zeros. Without a key-padding mask the query attends to the padding too.
import torch

from attention_book.tasks import signals

torch.manual_seed(0)
model, _ = signals.train_burst()  # the model of train_burst.py
clips = signals.make_clips(200, signals.held_out_generator(2))
wave = clips.waveform  # (200, 2000): 1 s each
lengths = torch.full((200,), wave.shape[-1])  # real samples per clip
sr = signals.SAMPLE_RATE


def run(x: torch.Tensor, lengths: torch.Tensor | None = None):
    with torch.no_grad():
        logits = model(x, lengths)  # (200, C)
    right = (logits.argmax(-1) == clips.label).float().mean()
    return logits, model.last_weights, right  # weights (200, T)


alone, w, right = run(wave)
T = w.shape[-1]  # frames of the real clip
print(f"clips alone: {T} frames, accuracy {right:.1%}")
print("padding  frames  on padding (no mask)  accuracy (no mask, mask)")
for seconds in (0.5, 2, 8):
    padded = torch.nn.functional.pad(wave, (0, int(seconds * sr)))
    _, w, right = run(padded)
    masked, w_masked, right_masked = run(padded, lengths)
    on_pad = w[:, T:].sum(-1).mean()
    assert w_masked[:, T:].sum() == 0  # the mask leaves the padding out
    print(
        f"{seconds:>5} s  {w.shape[-1]:>6}  {on_pad:>20.1%}  "
        f"{right:>14.1%}, {right_masked:.1%}"
    )
gap = (masked - alone).abs().max().item()
assert gap < 1e-5  # the masked batch computes what each clip alone does
print(f"attention on {seconds} s of padding, no mask: {on_pad:.1%}")
print(f"largest logit change with the mask: {gap:.0e}")
