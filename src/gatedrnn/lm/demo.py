"""``gatedrnn demo``: a character-level LSTM learns to write Python, offline, in a minute or two.

The text is the Python standard library's own source (``*.py`` files beside ``os.py``), which
every Python installation carries, so the demo needs no download and no data directory. The
first 90% of the characters train the model; the last 10% — other files — are held out to
measure bits per character, the character-level twin of perplexity: log2 of it.
"""

import os
import sysconfig
import time
from pathlib import Path

from ..arguments import path_argument, whole
from ..data import Corpus, Vocabulary
from ..errors import GatedRNNError, signature_defaults
from ..files import check_output_directory
from ..rng import check_seed
from .generate import generate
from .presets import get_preset
from .run import TrainingRun

UNKNOWN_CHAR = "\ufffd"
PROMPT = "def "


def stdlib_source(max_chars):
    """Up to ``max_chars`` characters of the standard library's top-level .py files, in name order."""
    root = Path(sysconfig.get_paths()["stdlib"])
    pieces, total = [], 0
    for path in sorted(root.glob("*.py")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):  # an unreadable file is simply left out
            continue
        pieces.append(text)
        total += len(text)
        if total >= max_chars:
            break
    text = "".join(pieces)[:max_chars]
    if len(text) < 10_000:
        raise GatedRNNError(
            f"found only {len(text):,} characters of Python source under {root}; "
            "the demo needs the standard library's .py files"
        )
    return text


def held_out_corpus(text, valid_fraction=0.1):
    """Train on the first 90% of ``text``, validate on the rest; characters unseen in training → U+FFFD."""
    cut = int(len(text) * (1 - valid_fraction))
    vocab = Vocabulary.build(text[:cut], unk_token=UNKNOWN_CHAR, level="char")
    return Corpus(
        train=vocab.encode(text[:cut]), valid=vocab.encode(text[cut:]), test=None, vocab=vocab, name="python-stdlib"
    )


def next_free_directory(base):
    """``base`` if it is free, else ``base-2``, ``base-3`` …: a demo run never overwrites another.

    ``base`` itself being a file is a mistake (GatedRNNError); a numbered candidate that is a
    file, or a non-empty directory, is simply skipped.
    """
    base = Path(path_argument("out", base, "runs/demo"))
    check_output_directory(base)
    candidate, number = base, 1
    while candidate.exists() and (not candidate.is_dir() or any(candidate.iterdir())):
        if number == 1:
            base = _numbering_base(base)
        number += 1
        candidate = base.with_name(f"{base.name}-{number}")
    return candidate


def _numbering_base(base):
    """The directory whose name gets the -2, -3 … suffix: ``base`` itself, or for ``.``, ``..`` and
    the like (which name no directory of their own) the absolute path they stand for."""
    if base.name not in ("", "..", "."):
        return base
    absolute = Path(os.path.abspath(base))
    if not absolute.name:
        raise GatedRNNError(
            f"out {base} is the filesystem's root, which is not empty; name a directory for the demo, such as runs/demo"
        )
    return absolute


def sample_text(model, vocab, length, seed, temperature=0.8):
    """``PROMPT`` and ``length`` sampled characters after it."""
    ids = generate(model, vocab.encode(PROMPT), length, temperature=temperature, seed=seed)
    return PROMPT + "".join(vocab.decode(ids))


def run(
    out="runs/demo",
    chars=1_000_000,
    epochs=3,
    seed=0,
    results=None,
    progress=True,
    sample_every=100,
    command="gatedrnn demo",
):
    """Train, print samples along the way, and report; returns the results dict.

    out: run directory (a used one gets a -2, -3 … suffix); chars: characters of source to
    read; epochs: passes over the training text; seed: for weights, masks and samples;
    results: also write the results JSON here; sample_every: steps between printed samples.
    This signature is the single source of the demo's defaults (``gatedrnn demo --help``).
    """
    from tqdm import tqdm

    defaults = signature_defaults(run)
    for name, value, minimum in (("chars", chars, 10_000), ("epochs", epochs, 1), ("sample_every", sample_every, 1)):
        whole(name, value, minimum, defaults[name])
    check_seed(seed)
    started = time.perf_counter()
    echo = tqdm.write
    preset = get_preset("char-small")
    training_run = TrainingRun(
        next_free_directory(out),
        lambda: held_out_corpus(stdlib_source(chars)),
        preset.model,
        preset.training.replace(epochs=epochs, seed=seed),
        preset="demo",
        about=ABOUT,
        results=results,
        command=command,
        progress=progress,
        echo=echo,
        log_interval=sample_every,
        on_log=_show_samples(sample_every, echo),
        how_to_continue=lambda saved: "run it again",
    )
    trainer = training_run.build()  # checks the directory and the results path before the source is read
    corpus = trainer.corpus
    echo(
        f"gatedrnn demo: a 1-layer LSTM ({trainer.model.num_parameters():,} parameters) learns to write Python "
        f"from {corpus.train.size:,} characters of the standard library; {corpus.valid.size:,} more are held out"
    )
    summary = training_run.train()
    _report(trainer, summary, time.perf_counter() - started, seed, echo)
    return summary["results"]


ABOUT = "a 1-layer character LSTM (preset char-small) on the Python standard library's source"


def _show_samples(sample_every, echo):
    """The Trainer's on_log: a line with a 120-character sample every ``sample_every`` steps."""

    def show_sample(trainer, record):
        if record["step"] % sample_every == 0:
            text = sample_text(trainer.model, trainer.corpus.vocab, 120, seed=record["step"]).replace("\n", "⏎")
            echo(f"step {record['step']:5d} | {record['bits']:.3f} bits/char | {text}")

    return show_sample


def _report(trainer, summary, seconds, seed, echo):
    """The final sample and where everything went."""
    sample = sample_text(trainer.model, trainer.corpus.vocab, 400, seed=seed)
    echo(f"\n--- a sample (temperature 0.8, after {PROMPT!r}) ---\n{sample}\n---")
    echo(
        f"validation: {summary['valid_bits']:.3f} bits per character on {trainer.corpus.valid.size:,} held-out "
        "characters"
    )
    echo(f"checkpoint: {trainer.files.best}  (try: gatedrnn generate {trainer.files.best} --prompt 'import ')")
    echo(f"loss plot:  {trainer.files.plot}")
    echo(f"wall time:  {seconds:.0f} s")
