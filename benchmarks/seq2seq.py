"""Encoder–decoders on generated tasks: the book's addition, dates with and without attention,
and copying by length.

    python benchmarks/seq2seq.py                 # about 12 minutes on 2 cores
    python benchmarks/seq2seq.py --quick         # every part at a few epochs, to try the script

* addition, with the book's chapter 7 settings (wordvec 16, hidden 128, batch 128, Adam 10⁻³,
  clip 5, 25 epochs, 45,000 training and 5,000 test questions generated like its
  addition.txt): plain, reversed, reversed + peeky, and a bidirectional encoder with (dot)
  attention. On the
  book's own code, run here: 12.1% (plain), 54.0% (reversed), 98.4–98.7% (reversed + peeky).
* dates (eight written styles → ISO): without and with (dot) attention.
* copy (lengths 3 … 20): without and with attention, exact match by source length.

Each configuration runs on one thread (deterministic: a re-run gives the same digits). Writes
the exact match after every epoch, the wall times and, for copy, the exact match per length
to ``benchmarks/results/seq2seq.json``, and two figures to docs/figures/: the addition curves
and the attention weights of a few dates (source characters × output characters).
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from blas_environment import KEEP_FLAG, KEEP_HELP, described, run_without_overrides  # noqa: E402

run_without_overrides()

import numpy as np  # noqa: E402

from gatedrnn import threads  # noqa: E402
from gatedrnn.figures import pyplot, save_figure  # noqa: E402
from gatedrnn.files import machine_info, timestamp, write_json  # noqa: E402
from gatedrnn.seq import run_transduction  # noqa: E402
from gatedrnn.seq.transduction_tasks import BOS, EOS, make_transduction_task  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "seq2seq.json"
FIGURES = ROOT / "docs" / "figures"
ADDITION = {"plain": dict(), "reversed": dict(reverse_source=True),
            "reversed+peeky": dict(reverse_source=True, peeky=True),
            "bidirectional+attention": dict(bidirectional=True, attention="dot")}
DATES = {"no attention": dict(), "attention": dict(attention="dot")}
COPY = {"no attention": dict(), "attention": dict(attention="dot")}
LENGTH_BUCKETS = ((3, 5), (6, 10), (11, 15), (16, 20))


def train(task, name, epochs, keep_model=False, **options):
    """One configuration on one thread; returns its row (and the model, when asked)."""
    started = time.perf_counter()
    with threads.settings(deterministic=True):
        result = run_transduction(task, epochs=epochs, progress=False, keep_model=keep_model,
                                  echo=lambda line: print(f"{task} {name}: {line}", flush=True), **options)
    row = dict(task=task, config=name, test_exact_match=result["test_exact_match"],
               exact_match_by_epoch=[r["test_exact_match"] for r in result["history"]],
               wall_seconds=time.perf_counter() - started, model=result["model"])
    return (row, result) if keep_model else row


def copy_by_length(model, data):
    """Exact match of the test copies in each LENGTH_BUCKETS range of source lengths."""
    sources, targets = data.test
    ids, lengths = data.encode_sources(sources)
    out = model.greedy(ids, lengths, data.symbols.index(BOS), max(lengths) + 1, eos_id=data.symbols.index(EOS))
    right = np.array([data.decode(row) == target for row, target in zip(out, targets)])
    return {f"{low}-{high}": float(right[(lengths >= low) & (lengths <= high)].mean()) for low, high in LENGTH_BUCKETS}


def plot_curves(rows, path):
    plt = pyplot()
    figure, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for row in rows:
        epochs = np.arange(1, len(row["exact_match_by_epoch"]) + 1)
        ax.plot(epochs, 100 * np.array(row["exact_match_by_epoch"]), marker="o", markersize=3, label=row["config"])
    ax.set_xlabel("epoch")
    ax.set_ylabel("test exact match (%)")
    ax.set_title("addition (the book's settings): what reversal, peeking and attention do", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    figure.tight_layout()
    save_figure(figure, path)


def plot_attention(model, data, path, count=3):
    """Attention weights (output characters × source characters) of the first test dates."""
    plt = pyplot()
    sources, targets = data.test
    figure, axes = plt.subplots(1, count, figsize=(4.2 * count, 3.6), dpi=110)
    for ax, source, target in zip(np.atleast_1d(axes), sources, targets):
        ids, lengths = data.encode_sources([source])
        bos = data.symbols.index(BOS)
        out = model.greedy(ids, lengths, bos, data.target_width)
        model.eval()
        model(ids, lengths, np.concatenate([[[bos]], out[:, :-1]], axis=1))   # the same steps, to read the weights
        weights = model.attention_weights[0, :, :len(source)]
        ax.imshow(weights, cmap="Greys", aspect="auto", vmin=0, vmax=1)
        ax.set_xticks(range(len(source)))
        ax.set_xticklabels(list(source), fontsize=7)
        ax.set_yticks(range(len(weights)))
        ax.set_yticklabels(list(data.decode(out[0]).ljust(len(weights))), fontsize=7)
        ax.set_title(f"{source!r} → {data.decode(out[0])}", fontsize=8)
    figure.suptitle("where each output character looked (attention weights, darker = more)", fontsize=10)
    figure.tight_layout()
    save_figure(figure, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few epochs of everything, to try the script")
    parser.add_argument(KEEP_FLAG, action="store_true", help=KEEP_HELP)
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--figures", default=str(FIGURES))
    args = parser.parse_args()
    epochs = dict(addition=2, dates=1, copy=1) if args.quick else dict(addition=25, dates=6, copy=10)
    started = time.perf_counter()
    addition = [train("addition", name, epochs["addition"], **options) for name, options in ADDITION.items()]
    dates = []
    for name, options in DATES.items():
        row, result = train("dates", name, epochs["dates"], keep_model=True, **options)
        dates.append(row)
        if options.get("attention"):
            plot_attention(result["trained_model"], make_transduction_task("dates", seed=0),
                           Path(args.figures) / "seq2seq_attention_dates.png")
    copies = []
    for name, options in COPY.items():
        row, result = train("copy", name, epochs["copy"], keep_model=True, **options)
        row["exact_match_by_length"] = copy_by_length(result["trained_model"], make_transduction_task("copy", seed=0))
        copies.append(row)
    plot_curves(addition, Path(args.figures) / "seq2seq_addition.png")
    write_json(args.out, dict(finished=timestamp(), command="python benchmarks/seq2seq.py " + " ".join(sys.argv[1:]),
                              quick=args.quick, seconds=time.perf_counter() - started,
                              addition_book_settings=dict(wordvec=16, hidden=128, batch=128, lr=1e-3, clip=5.0),
                              addition=addition, dates=dates, copy=copies, blas_environment=described(),
                              machine=machine_info()))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
