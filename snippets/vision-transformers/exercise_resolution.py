# Run the 24 x 24 model on 32 x 32 images: resize its position table
# from a 6 x 6 to an 8 x 8 grid (bicubic), keep the class token's row.
import torch

from attention_book.tasks.vision import (
    evaluate,
    interpolate_positions,
    train_vit,
)

torch.manual_seed(0)
model, _ = train_vit()
try:
    evaluate(model, image_size=32)
except ValueError as error:
    print("as trained:", str(error).split(";")[0])

bigger = interpolate_positions(model, image_size=32)
assert bigger.positions is not None
print("new position table:", tuple(bigger.positions.shape))
print(f"accuracy at 24 x 24: {evaluate(model):.3f}")
print(
    f"accuracy at 32 x 32, interpolated: {evaluate(bigger, image_size=32):.3f}"
)
