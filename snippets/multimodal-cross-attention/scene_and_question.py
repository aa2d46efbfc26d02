# A toy picture and a question about it: two modalities, two lengths.
import torch

from attention_book.tasks import multimodal as mm

torch.manual_seed(0)
samples = mm.sample_scenes(torch.Generator().manual_seed(3), 3)
for sample in samples:
    print(sample.scene.text())  # Ro = red circle, B# = blue square, G^ = ...
    print("Q:", " ".join(sample.question), " A:", sample.answer)
    print()

scenes = [s.scene for s in samples]
questions = [s.question for s in samples]
images = mm.render(scenes)  # (B, 3, H, W): pixels
cells = mm.patches(images)  # (B, N, 3 * P * P): one patch per cell
ids = mm.encode_questions(questions)  # (B, T): word ids, padded
print("images:", tuple(images.shape))
print("patches (B, N, 3*P*P):", tuple(cells.shape))
print("question ids (B, T):", tuple(ids.shape))
print("second question:", ids[1].tolist(), "<- 0 = <pad>")
