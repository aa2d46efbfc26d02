# Whisper's encoder input: 30 s at 16 kHz, one centred 25 ms frame every
# 10 ms, then a convolution of stride 2 halves the sequence.
samples = 30 * 16_000
hop = 160  # 10 ms
frames = samples // hop  # centred frames: one per hop
tokens = frames // 2  # the stride-2 convolution
print(f"samples: {samples}")
print(f"frames: {frames}")
print(f"tokens: {tokens}")
print(f"scores per head and layer: {tokens**2 * 4 / 1e6:.1f} MB")
print(f"with samples as tokens: {samples**2 * 4 / 1e9:.1f} GB")
print(f"ratio: {samples**2 // tokens**2:,}")
