"""One image cut into 4 x 4 patches, and the same patches laid out as the sequence the encoder reads."""

from matplotlib.figure import Figure

from attention_book.tasks.vision import held_out_images, patchify

P = 4


def draw() -> Figure:
    images, _ = held_out_images(8)
    image = images[2:3]  # (1, 1, 24, 24)
    side = image.shape[-1]
    grid = side // P
    patches = patchify(image, P)[0].view(-1, P, P)  # (36, 4, 4)
    fig = Figure(figsize=(7.0, 3.0), layout="constrained")
    left, right = fig.subfigures(1, 2, width_ratios=[1.0, 1.6])
    ax = left.subplots()
    ax.imshow(image[0, 0], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    for k in range(1, grid):
        ax.axhline(k * P - 0.5, color="#f28e2b", linewidth=1)
        ax.axvline(k * P - 0.5, color="#f28e2b", linewidth=1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("24 x 24 image, 6 x 6 patches", fontsize=10)
    cells = right.subplots(3, 12)
    for index, cell in enumerate(cells.flat):
        cell.imshow(patches[index], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        cell.set_xticks([])
        cell.set_yticks([])
        if index % 12 == 0:
            cell.set_ylabel(str(index + 1), fontsize=9, rotation=0, labelpad=8)
    right.suptitle("the sequence: patch 1, 2, ..., 36", fontsize=10)
    return fig
