# Which head of the first block finds the object the question is about?
import torch

from attention_book.tasks import multimodal as mm

torch.manual_seed(0)
model, _ = mm.train_scene_qa()
samples = [s for s in mm.held_out_samples(500) if s.target >= 0]
_, weights = mm.cross_attention(
    model, [s.scene for s in samples], [s.question for s in samples]
)
last = torch.tensor([len(s.question) - 1 for s in samples])  # "?" position
targets = torch.tensor([s.target for s in samples])
rows = weights[0][torch.arange(len(samples)), :, last]  # (B, H, N)
for head in range(rows.shape[1]):
    hits = (rows[:, head].argmax(-1) == targets).float().mean()
    mass = rows[torch.arange(len(samples)), head, targets].mean()
    print(f"head {head}: peak on the object {hits:.1%}, mean weight {mass:.2f}")
hits = (rows.mean(1).argmax(-1) == targets).float().mean()
print(f"mean of the heads: peak on the object {hits:.1%}")
