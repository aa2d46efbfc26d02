# Variable-length questions share a batch, so the short ones are padded.
# Without a padding mask, their words also attend to the <pad> positions.
import torch

from attention_book.tasks import multimodal as mm

torch.manual_seed(0)
model, _ = mm.train_scene_qa()
sample = mm.held_out_samples(20)[2]
image = mm.render([sample.scene])
alone = mm.encode_questions([sample.question])  # (1, 6): no padding
padded = mm.encode_questions([sample.question], length=12)  # (1, 12)
print("alone: ", alone[0].tolist())
print("padded:", padded[0].tolist())
with torch.no_grad():
    reference = model((image, alone))
    for mask in (True, False):
        logits = model((image, padded), mask_padding=mask)
        change = float((logits - reference).abs().max())
        answer = mm.ANSWERS[logits.argmax()]
        size = "< 1e-5" if change < 1e-5 else f"{change:.2f}"
        print(f"mask={mask!s:<5}  logits change: {size:<6}  answer: {answer}")

# Over 2000 held-out questions, every one padded to length 12:
for mask in (True, False):
    accuracy = mm.evaluate(model, pad_to=12, mask_padding=mask)
    print(f"padded to 12, mask={mask}: {accuracy:.1%}")
