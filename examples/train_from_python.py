"""A word-level language model on your own text, trained from Python with the Trainer.

    python examples/train_from_python.py                 # about 2 minutes on 2 cores

The text is generated here, offline: the docstrings of the Python standard library's modules,
classes and functions (English prose that every Python installation carries), one file per
split in pytorch/examples' layout (data/docstrings/train.txt, valid.txt, test.txt). Then:

    data    = DataSettings(text=..., valid_text=..., test_text=..., lowercase=True, min_count=3)
    run     = TrainingRun(out, data, ModelConfig(...), TrainConfig(...))
    summary = run.train()

which is what `gatedrnn train --data data/docstrings --level word --lowercase --min-count 3 ...`
does from the command line: the same run (gatedrnn.lm.run), with the same checks, checkpoints,
files and results, so `gatedrnn eval` and `gatedrnn generate` work on the result. Each time it
trains into a new directory (runs/docstrings, then runs/docstrings-2, ...): a run directory
belongs to one run.
"""

import ast
import sysconfig
from pathlib import Path

from gatedrnn.lm import DataSettings, ModelConfig, TrainConfig, TrainingRun, generate
from gatedrnn.lm.demo import next_free_directory

DATA = Path("data/docstrings")
OUT = Path("runs/docstrings")


def docstrings(path):
    """The docstrings of a module file, in the order they appear."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return []
    nodes = [tree] + [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    return [text for text in (ast.get_docstring(n) for n in nodes) if text]


def write_splits(directory):
    """train/valid/test.txt from the standard library's docstrings: every 20th file to valid and test."""
    files = sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py"))
    splits: dict[str, list[str]] = {"train.txt": [], "valid.txt": [], "test.txt": []}
    for index, path in enumerate(files):
        name = "valid.txt" if index % 20 == 7 else "test.txt" if index % 20 == 13 else "train.txt"
        splits[name].extend(docstrings(path))
    directory.mkdir(parents=True, exist_ok=True)
    for name, texts in splits.items():
        (directory / name).write_text("\n".join(texts) + "\n", encoding="utf-8")


def main():
    if not (DATA / "train.txt").exists():
        write_splits(DATA)
    data = DataSettings(
        text=DATA / "train.txt",
        valid_text=DATA / "valid.txt",
        test_text=DATA / "test.txt",
        level="word",
        lowercase=True,
        min_count=3,
    )
    model = ModelConfig(embedding_size=128, hidden_size=128, num_layers=1, dropout=0.2, tie_weights=True)
    training = TrainConfig(
        epochs=3,
        batch_size=20,
        seq_len=35,
        optimizer="adam",
        lr=3e-3,
        clip=1.0,
        schedule="plateau",
        lr_decay=2.0,
        eval_batch_size=10,
        seed=0,
    )
    out = next_free_directory(OUT)
    run = TrainingRun(
        out,
        data,
        model,
        training,
        preset="docstrings",
        log_interval=200,
        about="a word model of the standard library's docstrings (examples/train_from_python.py)",
    )
    summary = run.train()
    print(f"test perplexity {summary['test_ppl']:.1f} after {summary['steps']} steps; files in {out}")
    trainer = run.trainer  # built by run.train()
    assert trainer is not None
    vocab = trainer.corpus.vocab
    ids = generate(trainer.model, vocab.encode("return the".split()), 20, temperature=0.8, top_k=40, seed=0)
    print("sample:", "return the", " ".join(vocab.decode(ids)))


if __name__ == "__main__":
    main()
