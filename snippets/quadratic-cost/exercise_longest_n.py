# The longest sequence whose float16 scores fit in 80 GiB: B H n^2 * 2 bytes
# <= budget, so n <= sqrt(budget / (2 B H)).
import math

budget = 80 * 2**30  # bytes
H = 32
for B, size, dtype in ((1, 2, "float16"), (1, 4, "float32"), (8, 2, "float16")):
    n = math.isqrt(budget // (B * H * size))
    assert B * H * n * n * size <= budget < B * H * (n + 1) ** 2 * size
    print(f"longest n, B = {B}, H = {H}, {dtype}: {n}")
