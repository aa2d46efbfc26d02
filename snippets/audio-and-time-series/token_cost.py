# How many tokens a clip becomes, and what full self-attention over them
# costs: one score per (query, key) pair, per head and per layer.
import math


def frames(samples: int, window: int, hop: int) -> int:
    return 1 + (samples - window) // hop


def score_bytes(tokens: int) -> int:
    return tokens * tokens * 4  # float32 scores, one head, one layer


def show(bytes_: int) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if bytes_ >= size:
            return f"{bytes_ / size:.1f} {unit}"
    return f"{bytes_} B"


# This chapter's clips: 1 s at 2 kHz, frames of 64 samples every 32.
ours = {"samples": 2000, "frames": frames(2000, 64, 32)}
# Speech: 10 s at 16 kHz, 25 ms windows every 10 ms (400 and 160).
speech = {"samples": 160_000, "frames": frames(160_000, 400, 160)}
for name, case in (("1 s at 2 kHz", ours), ("10 s at 16 kHz", speech)):
    for kind, n in case.items():
        print(f"{name}, {kind}: {n} tokens, {show(score_bytes(n))} of scores")
ratio = score_bytes(speech["samples"]) / score_bytes(speech["frames"])
print(f"10 s of speech, samples/frames score ratio: {ratio:,.0f}")

# Reach: how many layers before the first and the last frame interact?
T = ours["frames"]
print(f"frames in the clip: {T}")
print(f"conv layers of kernel 3 to reach across: {math.ceil((T - 1) / 2)}")
print(f"recurrent steps from the first frame to the last: {T - 1}")
print("attention layers: 1")
