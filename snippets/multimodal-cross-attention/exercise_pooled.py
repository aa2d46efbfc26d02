# Replace every cross-attention by a plain average over the cells: each word
# then sees one pooled summary of the picture, with no way to pick a cell.
import torch

from attention_book.tasks import multimodal as mm

torch.manual_seed(0)
model, _ = mm.train_scene_qa()
print(f"with attention: {mm.evaluate(model):.1%}")


def average_over_cells(module, args, kwargs, output):
    _, memory = args[0], args[1]  # query (B, T, d), cells (B, N, d)
    pooled = module.v_proj(memory).mean(1, keepdim=True)  # (B, 1, d)
    out = module.out_proj(pooled).expand_as(args[0])  # (B, T, d)
    return out, output[1]


handles = [
    block.cross_attn.register_forward_hook(average_over_cells, with_kwargs=True)
    for block in model.blocks
]
samples = mm.held_out_samples(2000)
logits, _ = mm.cross_attention(
    model, [s.scene for s in samples], [s.question for s in samples]
)
for handle in handles:
    handle.remove()
answers = [mm.ANSWERS[i] for i in logits.argmax(-1).tolist()]
for start in ("what colour", "what shape", "is there", "where"):
    right = [
        a == s.answer
        for a, s in zip(answers, samples, strict=True)
        if " ".join(s.question).startswith(start)
    ]
    print(f"pooled, {start + ' ...:':<17}{sum(right) / len(right):7.1%}")
