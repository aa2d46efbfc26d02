# Where the learned query looks, clip by clip: the burst's true span
# against the frame with the largest attention weight.
import torch

from attention_book.tasks import signals

torch.manual_seed(0)
model, _ = signals.train_burst()  # the model of train_burst.py
clips = signals.make_clips(6, signals.held_out_generator(1))
weights = signals.attention_over_frames(model, clips.waveform)  # (6, T)
assert torch.allclose(weights.sum(-1), torch.ones(6))  # a distribution
predicted = model(clips.waveform).argmax(-1)  # (6,)
centres = signals.frame_centres(weights.shape[-1])  # (T,) in samples
on_burst = signals.burst_frames(clips)  # (6, T)

sr = signals.SAMPLE_RATE
print("clip  burst (s)    peak (s)  weight  on burst  Hz (true, said)")
for i in range(6):
    a = clips.start[i].item() / sr
    b = a + clips.burst_samples / sr
    t = weights[i].argmax().item()
    hit = "yes" if on_burst[i, t] else "no"
    true = signals.FREQUENCIES[clips.label[i]]
    said = signals.FREQUENCIES[predicted[i]]
    print(
        f"{i:>4}  {a:.2f}-{b:.2f}    {centres[t] / sr:8.3f}"
        f"  {weights[i, t]:6.2f}  {hit:>8}  {true:.0f}, {said:.0f}"
    )
