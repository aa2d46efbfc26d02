# Little data: 300 training images, 200 steps, for a ViT and for a small
# CNN trained the same way. The CNN's convolutions and pooling build in
# locality and translation; the ViT has to learn them from the data.
import torch

from attention_book.tasks.vision import evaluate, train_cnn, train_vit

torch.manual_seed(0)
vit, vit_history = train_vit(train_size=300, steps=200)
cnn, cnn_history = train_cnn(train_size=300, steps=200)
for name, model, history in (
    ("ViT", vit, vit_history),
    ("CNN", cnn, cnn_history),
):
    print(f"{name}, final training loss: {history.losses[-1]:.3f}")
    print(f"{name}, held-out accuracy: {evaluate(model):.3f}")
vit_parameters = sum(p.numel() for p in vit.parameters())
cnn_parameters = sum(p.numel() for p in cnn.parameters())
print(f"parameters: ViT {vit_parameters:,}, CNN {cnn_parameters:,}")
