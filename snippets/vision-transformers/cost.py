# How many tokens a ViT reads, and how many attention scores each head
# computes per layer, for a 224 x 224 image cut into p x p patches.
side = 224
tokens = {}
for p in (32, 16, 8):
    patches = (side // p) ** 2
    tokens[p] = patches + 1  # + 1 for the class token
    print(
        f"p = {p:2d}: {side // p:2d} x {side // p:2d} = {patches:4d} patches, "
        f"{tokens[p]:4d} tokens, {tokens[p] ** 2:7,d} scores"
    )
ratio = tokens[8] ** 2 / tokens[16] ** 2
print(f"tokens at p = 16: {tokens[16]}")
print(f"tokens at p = 8: {tokens[8]}")
print(f"score ratio, p = 8 vs p = 16: {ratio:.1f}")
