# Where the tiny model's heads put their weight: the share on the first token
# (BOS) of each layer-1 head, when the next token is an echo (something to
# copy) and when it is a surprise (nothing to copy), for queries 32 to 62.
import torch

from attention_book.tasks import language_model as lm

model, _ = lm.train_language_model()
text, predictable = lm.held_out_text(256, lm.SEQ_LEN)  # (256, 64) each
with torch.no_grad():
    _, weights = model.forward_with_weights(text)  # (layers, B, H, T, T)

on_bos = weights[1, :, :, 32:63, 0]  # (B, H, 31): layer 1, key 0
echo = predictable[:, 33:64]  # (B, 31): is the NEXT token predictable?
print("head  next is an echo  next is a surprise")
for h in range(model.num_heads):
    w = on_bos[:, h]
    print(f"{h:>4} {w[echo].mean():>15.3f} {w[~echo].mean():>19.3f}")
surprise = torch.stack([on_bos[:, h][~echo].mean() for h in range(4)])
sink = int(surprise.argmax())  # the head that parks the most on BOS
uniform = (1 / torch.arange(33, 64).float()).mean()  # 1 / (keys seen)
print(f"strongest sink head: {sink}")
print(f"its share on BOS before a surprise: {surprise[sink]:.3f}")
print(f"its share on BOS before an echo: {on_bos[:, sink][echo].mean():.3f}")
print(f"uniform share of one key: {uniform:.3f}")
