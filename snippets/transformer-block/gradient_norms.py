# Gradient norm of each block's parameters at initialization, in a stack
# of 18 encoder blocks, post-LN and pre-LN (mean over 4 random inits).
from attention_book.tasks import deep_stack

L = 18
post = deep_stack.gradient_norms(L, norm_first=False)  # one value a block
pre = deep_stack.gradient_norms(L, norm_first=True)  # block 1 first

print("block   post-LN   pre-LN")
for layer in (1, 6, 12, 18):
    print(f"{layer:>5} {post[layer - 1]:>9.3f} {pre[layer - 1]:>8.3f}")
print(f"post-LN, last block / first block: {post[-1] / post[0]:.2f}")
print(f"pre-LN, last block / first block: {pre[-1] / pre[0]:.2f}")

# The last block's gradient, post-LN over pre-LN, as the stack deepens.
for depth in (3, 6, 12, 24):
    top_post = deep_stack.gradient_norms(depth, norm_first=False)[-1]
    top_pre = deep_stack.gradient_norms(depth, norm_first=True)[-1]
    print(f"{depth} blocks, last block post-LN / pre-LN: "
          f"{top_post / top_pre:.2f}")  # fmt: skip
