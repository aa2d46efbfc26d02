# Train the words-read-the-picture model, then test it on new scenes.
import torch

from attention_book.tasks import multimodal as mm

torch.manual_seed(0)
model, history = mm.train_scene_qa()  # seeded; cached after the first run
first, last = history.losses[0], sum(history.losses[-50:]) / 50
print(f"steps: {history.steps}")
print(f"loss: {first:.3f} -> {last:.3f} (mean of the last 50 steps)")
params = sum(p.numel() for p in model.parameters())
print(f"parameters: {params}")
accuracy = mm.evaluate(model)  # 2000 held-out scenes and questions
print(f"held-out accuracy: {accuracy:.1%}")

samples = mm.held_out_samples(2000)
for start in ("what colour", "what shape", "is there", "where"):
    chosen = [s for s in samples if " ".join(s.question).startswith(start)]
    logits, _ = mm.cross_attention(
        model, [s.scene for s in chosen], [s.question for s in chosen]
    )
    answers = [mm.ANSWERS[i] for i in logits.argmax(-1).tolist()]
    right = sum(a == s.answer for a, s in zip(answers, chosen, strict=True))
    print(f"  {start + ' ...':<16}{right / len(chosen):7.1%}  ({len(chosen)})")
