# Causal tiled attention over T x T tiles computes T (T + 1) / 2 of them, and
# T of those (the diagonal) need a mask inside. The fraction of tiles tends
# to 1/2 as T grows: the causal pass costs about half the full one.
for T in (1, 2, 4, 8, 16, 64):
    computed = masked = 0
    for i in range(T):  # query block i
        for j in range(T):  # key block j
            if j > i:  # every key after every query of the block: skipped
                continue
            computed += 1
            masked += j == i  # the diagonal tile crosses the diagonal
    assert computed == T * (T + 1) // 2 and masked == T
    print(
        f"T = {T:>2}: {computed:>4} of {T * T:>4} tiles computed "
        f"({computed / (T * T):.3f}), {masked:>2} masked inside"
    )
