"""Encoder–decoders on generated tasks: the book's addition, dates with and without attention,
and copying by length.

    python benchmarks/seq2seq.py --book DIR      # about 12 minutes on 2 cores
    python benchmarks/seq2seq.py --quick         # every part at a few epochs, to try the script

* addition, with the book's chapter 7 settings (wordvec 16, hidden 128, batch 128, Adam 10⁻³,
  clip 5, 25 epochs, 45,000 training and 5,000 test questions generated like its
  addition.txt): plain, reversed, reversed + peeky; then reversed + peeky, reversed + (dot)
  attention and reversed + peeky + attention with a decaying tail on the learning rate
  (TAIL). With ``--book DIR`` (a checkout of the book's repository) its own code trains
  reversed + peeky beside them, on its own addition.txt, for the wall-time comparison.
* dates (eight written styles → ISO): without and with (dot) attention.
* copy (lengths 3 … 20): without and with attention, exact match by source length.

Each configuration runs in its own process on one thread (deterministic: a re-run gives the
same digits), two side by side (``--jobs``). Writes
the exact match after every epoch, the wall times and, for copy, the exact match per length
to ``benchmarks/results/seq2seq.json``, and two figures to docs/figures/: the addition curves
and the attention weights of a few dates (source characters × output characters).
"""

import argparse
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
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
# The book's settings exactly (a constant learning rate), then the same with a decaying tail:
# from epoch 16 on the rate is multiplied by 0.8 per epoch, so that Adam settles instead of
# swinging by a few points between the last epochs.
TAIL = dict(lr_decay=1.25, decay_start=15)  # ÷ 1.25 (× 0.8) per epoch from epoch 16
ADDITION = {
    "plain": dict(),
    "reversed": dict(reverse_source=True),
    "reversed+peeky": dict(reverse_source=True, peeky=True),
    "reversed+peeky, decaying tail": dict(reverse_source=True, peeky=True, **TAIL),
    "reversed+attention, decaying tail": dict(reverse_source=True, attention="dot", **TAIL),
    "reversed+peeky+attention, decaying tail": dict(reverse_source=True, peeky=True, attention="dot", **TAIL),
}
DATES = {"no attention": dict(), "attention": dict(attention="dot")}
COPY = {"no attention": dict(), "attention": dict(attention="dot")}
LENGTH_BUCKETS = ((3, 5), (6, 10), (11, 15), (16, 20))


def train(task, name, epochs, keep_model=False, **options):
    """One configuration on one thread; returns its row (and the model, when asked)."""
    started = time.perf_counter()
    with threads.settings(deterministic=True):
        result = run_transduction(
            task,
            epochs=epochs,
            progress=False,
            keep_model=keep_model,
            echo=lambda line: print(f"{task} {name}: {line}", flush=True),
            **options,
        )
    row = dict(
        task=task,
        config=name,
        test_exact_match=result["test_exact_match"],
        exact_match_by_epoch=[r["test_exact_match"] for r in result["history"]],
        wall_seconds=time.perf_counter() - started,
        model=result["model"],
    )
    return (row, result) if keep_model else row


def copy_by_length(model, data):
    """Exact match of the test copies in each LENGTH_BUCKETS range of source lengths."""
    sources, targets = data.test
    ids, lengths = data.encode_sources(sources)
    out = model.greedy(ids, lengths, data.symbols.index(BOS), max(lengths) + 1, eos_id=data.symbols.index(EOS))
    right = np.array([data.decode(row) == target for row, target in zip(out, targets, strict=True)])
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
    sources = data.test[0]
    figure, axes = plt.subplots(1, count, figsize=(4.2 * count, 3.6), dpi=110)
    for ax, source in zip(np.atleast_1d(axes), sources, strict=True):
        ids, lengths = data.encode_sources([source])
        bos = data.symbols.index(BOS)
        out = model.greedy(ids, lengths, bos, data.target_width)
        model.eval()
        model(ids, lengths, np.concatenate([[[bos]], out[:, :-1]], axis=1))  # the same steps, to read the weights
        weights = model.attention_weights[0, :, : len(source)]
        ax.imshow(weights, cmap="Greys", aspect="auto", vmin=0, vmax=1)
        ax.set_xticks(range(len(source)))
        ax.set_xticklabels(list(source), fontsize=7)
        ax.set_yticks(range(len(weights)))
        ax.set_yticklabels(list(data.decode(out[0]).ljust(len(weights))), fontsize=7)
        ax.set_title(f"{source!r} → {data.decode(out[0])}", fontsize=8)
    figure.suptitle("where each output character looked (attention weights, darker = more)", fontsize=10)
    figure.tight_layout()
    save_figure(figure, path)


def book_run(book_dir, epochs):
    """The book's own chapter 7 code (reversed input, PeekySeq2seq, its Trainer and Adam, its
    one-question-at-a-time eval_seq2seq), driven epoch by epoch as its train_seq2seq.py does, on
    one thread; returns its row with the same fields as ours."""
    import contextlib
    import io

    sys.path[:0] = [str(book_dir), str(Path(book_dir) / "ch07")]
    os.chdir(Path(book_dir) / "ch07")
    from common.optimizer import Adam
    from common.trainer import Trainer
    from common.util import eval_seq2seq
    from dataset import sequence
    from peeky_seq2seq import PeekySeq2seq

    started = time.perf_counter()
    (x_train, t_train), (x_test, t_test) = sequence.load_data("addition.txt")
    char_to_id, id_to_char = sequence.get_vocab()
    x_train, x_test = x_train[:, ::-1], x_test[:, ::-1]
    model = PeekySeq2seq(len(char_to_id), 16, 128)
    trainer, curve = Trainer(model, Adam()), []
    with threads.settings(deterministic=True):  # one thread, as each of ours
        for _ in range(epochs):
            with contextlib.redirect_stdout(io.StringIO()):  # its per-batch lines
                trainer.fit(x_train, t_train, max_epoch=1, batch_size=128, max_grad=5.0)
            right = sum(
                eval_seq2seq(model, x_test[[i]], t_test[[i]], id_to_char, False, True) for i in range(len(x_test))
            )
            curve.append(right / len(x_test))
            print(f"addition book reversed+peeky: epoch {len(curve)} test exact match {curve[-1]:.2%}", flush=True)
    return dict(
        task="addition",
        config="book's code: reversed+peeky",
        test_exact_match=curve[-1],
        exact_match_by_epoch=curve,
        wall_seconds=time.perf_counter() - started,
    )


def job(task, name, epochs, options, figures=None):
    """One configuration in its own process (one thread); the dates and copy rows also use the
    trained model: the attention figure, the exact match by length."""
    if task == "book":
        return book_run(options["book_dir"], epochs)
    keep = task in ("dates", "copy")
    out = train(task, name, epochs, keep_model=keep, **options)
    if not keep:
        return out
    row, result = out
    if task == "dates" and options.get("attention"):
        plot_attention(
            result["trained_model"],
            make_transduction_task("dates", seed=0),
            Path(figures) / "seq2seq_attention_dates.png",
        )
    if task == "copy":
        row["exact_match_by_length"] = copy_by_length(result["trained_model"], make_transduction_task("copy", seed=0))
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few epochs of everything, to try the script")
    parser.add_argument("--book", metavar="DIR", help="a checkout of the book's repository: also time its code")
    parser.add_argument("--jobs", type=int, default=2, help="configurations trained side by side (default: 2)")
    parser.add_argument(KEEP_FLAG, action="store_true", help=KEEP_HELP)
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--figures", default=str(FIGURES))
    args = parser.parse_args()
    epochs = dict(addition=2, dates=1, copy=1) if args.quick else dict(addition=25, dates=6, copy=10)
    started, load_before = time.perf_counter(), os.getloadavg()
    plan = [("addition", name, epochs["addition"], options) for name, options in ADDITION.items()]
    if args.book:
        plan.insert(0, ("book", "book", epochs["addition"], dict(book_dir=str(Path(args.book).resolve()))))
    plan += [("dates", name, epochs["dates"], options) for name, options in DATES.items()]
    plan += [("copy", name, epochs["copy"], options) for name, options in COPY.items()]
    # A fresh process per configuration (the book's code changes the directory and sys.path).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=args.jobs, mp_context=context, max_tasks_per_child=1) as pool:
        rows = list(pool.map(job, *zip(*plan, strict=True), [args.figures] * len(plan)))
    book = [row for task, row in zip((p[0] for p in plan), rows, strict=True) if task == "book"]
    addition = [row for task, row in zip((p[0] for p in plan), rows, strict=True) if task == "addition"]
    dates = [row for task, row in zip((p[0] for p in plan), rows, strict=True) if task == "dates"]
    copies = [row for task, row in zip((p[0] for p in plan), rows, strict=True) if task == "copy"]
    plot_curves(addition + book, Path(args.figures) / "seq2seq_addition.png")
    if book:
        for row in addition:
            row["wall_seconds_over_book"] = row["wall_seconds"] / book[0]["wall_seconds"]
    write_json(
        args.out,
        dict(
            finished=timestamp(),
            command="python benchmarks/seq2seq.py " + " ".join(sys.argv[1:]),
            quick=args.quick,
            seconds=time.perf_counter() - started,
            jobs=args.jobs,
            load_average_before=load_before,
            running_beside="each configuration shares the machine with one other (--jobs 2)",
            addition_book_settings=dict(wordvec=16, hidden=128, batch=128, lr=1e-3, clip=5.0),
            addition_decaying_tail=TAIL,
            book=book[0] if book else None,
            addition=addition,
            dates=dates,
            copy=copies,
            blas_environment=described(),
            machine=machine_info(),
        ),
    )
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
