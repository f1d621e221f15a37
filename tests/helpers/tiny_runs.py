"""A tiny character-level run for CLI tests: a generated text and the `gatedrnn train` arguments."""


def write_text(directory, repeats=80):
    """A small English text file in ``directory``; returns its path."""
    path = directory / "text.txt"
    path.write_text("the quick brown fox jumps over the lazy dog. " * repeats)
    return path


def tiny_train_args(text, out, *extra, epochs=1):
    """`gatedrnn train` on ``text`` with a model of 8 units, into ``out``; ``extra`` appended."""
    return [
        "train",
        "--preset",
        "char-small",
        "--text",
        str(text),
        "--hidden-size",
        "8",
        "--embedding-size",
        "8",
        "--num-layers",
        "1",
        "--batch-size",
        "4",
        "--seq-len",
        "8",
        "--eval-batch-size",
        "2",
        "--epochs",
        str(epochs),
        "--out",
        str(out),
        *extra,
    ]
