"""Encoder–decoders on generated tasks, every configuration over five seeds: the book's addition,
dates with and without attention, and copying by length.

    python benchmarks/seq2seq.py --book DIR      # about 95 minutes of both of 2 idle cores (--jobs 2)
    python benchmarks/seq2seq.py --quick         # every part at a few epochs and 2 seeds, to try it
    python benchmarks/seq2seq.py --book DIR --resume   # go on where a stopped one left off
    python benchmarks/seq2seq.py --study init --book DIR   # one of the studies of issue 31

* addition, with the book's chapter 7 settings (wordvec 16, hidden 128, batch 128, Adam 10⁻³
  at a constant rate, clip 5, 25 epochs, 45,000 training and 5,000 test questions generated
  like its addition.txt, the book's initialisation): plain, reversed, reversed + peeky,
  reversed + (dot) attention, reversed + peeky + attention. With ``--book DIR`` (a checkout
  of the book's repository) its own code trains reversed + peeky on its addition.txt, its
  NumPy generator seeded with each seed after the data are loaded (the split is the book's).
* dates (eight written styles → ISO): without and with (dot) attention.
* copy (lengths 3 … 20): without and with attention, exact match by source length.

Every configuration runs once per seed (``--seeds``, default 0 … 4), each run in its own
process on one thread (deterministic: a re-run gives the same digits), two side by side
(``--jobs``). ``benchmarks/results/seq2seq.json`` gets, per configuration, the mean, min
and max final exact match and each seed's figure and curve (copy: per length too); the
addition figure draws each configuration's mean curve with its seeds' range shaded.

``--study NAME`` runs one of the investigations of issue 31 instead (reversed + peeky on
addition, 5 seeds each; results in ``benchmarks/results/seq2seq_study_NAME.json``): ``init``
(PyTorch-style vs the book's initialisation), ``schedule`` (constant vs decaying tail),
``clip`` (clip 5 vs none), ``data`` (the book's addition.txt, at a constant rate and with the
decaying tail, and the book's code on it; needs ``--book``). ``--study-table FILE ...`` prints
the docs' table of them.
"""

import argparse
import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
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
RESULTS = ROOT / "benchmarks" / "results"
FIGURES = ROOT / "docs" / "figures"
SEEDS = (0, 1, 2, 3, 4)
BOOK_SETTINGS = dict(wordvec=16, hidden=128, batch=128, lr=1e-3, clip=5.0, lr_decay=1.0, init="book")
# The old default tail, kept for the schedule study: ÷ 1.25 (× 0.8) per epoch from epoch 16 on.
TAIL = dict(lr_decay=1.25, decay_start=15)
PEEKY = dict(reverse_source=True, peeky=True)
ADDITION = {
    "plain": dict(),
    "reversed": dict(reverse_source=True),
    "reversed+peeky": PEEKY,
    "reversed+attention": dict(reverse_source=True, attention="dot"),
    "reversed+peeky+attention": dict(reverse_source=True, peeky=True, attention="dot"),
}
# dates and copy start from PyTorch-style draws (their task default, TRAINING_DEFAULTS); the book's
# initialisation beside it shows why.
DATES = {
    "no attention": dict(init="pytorch"),
    "attention": dict(attention="dot", init="pytorch"),
    "attention, book init": dict(attention="dot", init="book"),
}
COPY = {
    "no attention": dict(init="pytorch"),
    "attention": dict(attention="dot", init="pytorch"),
    "attention, book init": dict(attention="dot", init="book"),
}
NO_CLIP = 1e30  # a norm no gradient reaches: clipping off
STUDIES = {
    "init": {
        "reversed+peeky, book init": dict(PEEKY, init="book"),
        "reversed+peeky, pytorch init": dict(PEEKY, init="pytorch"),
    },
    "schedule": {
        "reversed+peeky, pytorch init, decaying tail": dict(PEEKY, init="pytorch", **TAIL),
        "reversed+peeky, book init, decaying tail": dict(PEEKY, init="book", **TAIL),
    },
    "clip": {
        "reversed+peeky, pytorch init, no clipping": dict(PEEKY, init="pytorch", clip=NO_CLIP),
        "reversed+peeky, book init, no clipping": dict(PEEKY, init="book", clip=NO_CLIP),
    },
    "data": {
        "reversed+peeky, pytorch init, book's addition.txt": dict(PEEKY, init="pytorch", addition_file="BOOK"),
        "reversed+peeky, book init, book's addition.txt": dict(PEEKY, init="book", addition_file="BOOK"),
        "reversed+peeky, book init, book's addition.txt, decaying tail": dict(
            PEEKY, init="book", addition_file="BOOK", **TAIL
        ),
    },
}
LENGTH_BUCKETS = ((3, 5), (6, 10), (11, 15), (16, 20))
BOOK_CONFIG = "book's code: reversed+peeky"


def train(task, name, epochs, seed, keep_model=False, **options):
    """One configuration at one seed on one thread; returns its row (and the model, when asked)."""
    started = time.perf_counter()
    with threads.settings(deterministic=True):
        result = run_transduction(
            task,
            epochs=epochs,
            seed=seed,
            progress=False,
            keep_model=keep_model,
            echo=lambda line: print(f"{task} {name} seed {seed}: {line}", flush=True),
            **options,
        )
    row = dict(
        task=task,
        config=name,
        seed=seed,
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


def summarise(rows):
    """Per-seed rows of one configuration → its summary: mean, min, max and each seed's figure."""
    finals = [row["test_exact_match"] for row in rows]
    curves = np.array([row["exact_match_by_epoch"] for row in rows])
    summary = dict(
        task=rows[0]["task"],
        config=rows[0]["config"],
        seeds=[row["seed"] for row in rows],
        test_exact_match=dict(mean=float(np.mean(finals)), min=float(np.min(finals)), max=float(np.max(finals))),
        test_exact_match_by_seed={str(row["seed"]): row["test_exact_match"] for row in rows},
        mean_exact_match_by_epoch=curves.mean(axis=0).tolist(),
        wall_seconds=dict(mean=float(np.mean([row["wall_seconds"] for row in rows]))),
        runs=rows,
    )
    if "model" in rows[0]:
        summary["model"] = rows[0]["model"]
    if "exact_match_by_length" in rows[0]:
        summary["exact_match_by_length"] = {
            bucket: dict(
                mean=float(np.mean([row["exact_match_by_length"][bucket] for row in rows])),
                min=float(np.min([row["exact_match_by_length"][bucket] for row in rows])),
                max=float(np.max([row["exact_match_by_length"][bucket] for row in rows])),
            )
            for bucket in rows[0]["exact_match_by_length"]
        }
    return summary


def plot_curves(summaries, path, title):
    """Each configuration's mean curve, the range of its seeds shaded, the final min–max in the legend."""
    plt = pyplot()
    figure, ax = plt.subplots(figsize=(7.5, 4.4), dpi=110)
    for summary in summaries:
        curves = 100 * np.array([run["exact_match_by_epoch"] for run in summary["runs"]])
        epochs = np.arange(1, curves.shape[1] + 1)
        final = summary["test_exact_match"]
        label = (
            f"{summary['config']}: {100 * final['mean']:.1f}% "
            f"({100 * final['min']:.1f}–{100 * final['max']:.1f}, {len(curves)} seeds)"
        )
        (line,) = ax.plot(epochs, curves.mean(axis=0), marker="o", markersize=2.5, label=label)
        ax.fill_between(epochs, curves.min(axis=0), curves.max(axis=0), color=line.get_color(), alpha=0.15)
    ax.set_xlabel("epoch")
    ax.set_ylabel("test exact match (%)")
    ax.set_title(title, fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
    figure.tight_layout()
    save_figure(figure, path)


def plot_attention(model, data, path, count=3):
    """Attention weights (output characters × source characters) of the first test dates."""
    plt = pyplot()
    sources = data.test[0]
    figure, axes = plt.subplots(1, count, figsize=(4.2 * count, 3.6), dpi=110)
    for ax, source in zip(np.atleast_1d(axes), sources[:count], strict=True):
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


def book_run(book_dir, epochs, seed):
    """The book's own chapter 7 code (reversed input, PeekySeq2seq, its Trainer and Adam, its
    one-question-at-a-time eval_seq2seq), driven epoch by epoch as its train_seq2seq.py does, on
    one thread, its NumPy generator seeded with ``seed`` after its data are loaded (load_data
    seeds 1984 for its fixed split); returns its row with the same fields as ours."""
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
    np.random.seed(seed)  # the book's code draws its weights and batch order from NumPy's global generator
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
            print(
                f"addition {BOOK_CONFIG} seed {seed}: epoch {len(curve)} test exact match {curve[-1]:.2%}", flush=True
            )
    return dict(
        task="addition",
        config=BOOK_CONFIG,
        seed=seed,
        test_exact_match=curve[-1],
        exact_match_by_epoch=curve,
        wall_seconds=time.perf_counter() - started,
    )


def job(task, name, epochs, options, seed, figures=None):
    """One configuration at one seed in its own process (one thread); the dates and copy rows
    also use the trained model: the attention figure (seed 0), the exact match by length."""
    if task == "book":
        return book_run(options["book_dir"], epochs, seed)
    keep = task in ("dates", "copy")
    out = train(task, name, epochs, seed, keep_model=keep, **options)
    if not keep:
        return out
    row, result = out
    if task == "dates" and options.get("attention") and seed == 0 and figures:
        plot_attention(
            result["trained_model"],
            make_transduction_task("dates", seed=0),
            Path(figures) / "seq2seq_attention_dates.png",
        )
    if task == "copy":
        row["exact_match_by_length"] = copy_by_length(
            result["trained_model"], make_transduction_task("copy", seed=seed)
        )
    return row


def configurations(args, epochs):
    """(task, name, epochs, options) of what this invocation runs."""
    book = dict(book_dir=str(Path(args.book).resolve())) if args.book else None
    plan = [("book", BOOK_CONFIG, epochs["addition"], book)] if book else []
    if args.study:
        if args.study == "data" and not book:
            raise SystemExit("--study data compares with the book's addition.txt: give --book DIR")
        for name, options in STUDIES[args.study].items():
            if options.get("addition_file") == "BOOK":
                options = dict(options, addition_file=str(Path(args.book).resolve() / "dataset" / "addition.txt"))
            plan.append(("addition", name, epochs["addition"], options))
        return plan
    plan += [("addition", name, epochs["addition"], options) for name, options in ADDITION.items()]
    plan += [("dates", name, epochs["dates"], options) for name, options in DATES.items()]
    plan += [("copy", name, epochs["copy"], options) for name, options in COPY.items()]
    return plan


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few epochs and 2 seeds of everything, to try it")
    parser.add_argument("--book", metavar="DIR", help="a checkout of the book's repository: also run its code")
    parser.add_argument("--study", choices=list(STUDIES), help="run one study of issue 31 instead (see above)")
    parser.add_argument(
        "--only", metavar="TEXT", help="only the configurations whose name contains TEXT (the book's code always)"
    )
    parser.add_argument("--seeds", type=int, nargs="+", help="seeds of every configuration (default: 0 1 2 3 4)")
    parser.add_argument("--jobs", type=int, default=2, help="runs trained side by side (default: 2)")
    parser.add_argument(KEEP_FLAG, action="store_true", help=KEEP_HELP)
    parser.add_argument("--out", help="results file (default: benchmarks/results/seq2seq[_study_NAME].json)")
    parser.add_argument("--figures", default=str(FIGURES))
    parser.add_argument(
        "--replot", metavar="FILE", help="only draw the addition figure of a results file (one stopped early, say)"
    )
    parser.add_argument(
        "--table", metavar="FILE", help="only print the docs' Markdown tables of a results file this script wrote"
    )
    parser.add_argument(
        "--study-table",
        metavar="FILE",
        nargs="+",
        help="only print the docs' table of the addition rows of study files, each seed's course too",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="keep the runs an earlier invocation with the same settings wrote to the results file and run only "
        "the rest (a benchmark stopped early, or run in pieces)",
    )
    args = parser.parse_args()
    if args.replot:
        replot(Path(args.replot), Path(args.figures))
        return
    if args.table:
        print(markdown_tables(json.loads(Path(args.table).read_text())))
        return
    if args.study_table:
        print(study_table({Path(path).name: json.loads(Path(path).read_text()) for path in args.study_table}))
        return
    seeds = args.seeds or ((0, 1) if args.quick else SEEDS)
    epochs = dict(addition=2, dates=1, copy=1) if args.quick else dict(addition=25, dates=6, copy=10)
    out = (
        Path(args.out) if args.out else RESULTS / (f"seq2seq_study_{args.study}.json" if args.study else "seq2seq.json")
    )
    started, load_before = time.perf_counter(), os.getloadavg()
    plan = [entry for entry in configurations(args, epochs) if entry[0] == "book" or (args.only or "") in entry[1]]
    # Seed by seed across the configurations (the book's code first: its runs are the longest), so
    # that the results written after each run always compare the configurations over the same seeds.
    runs = [(task, name, count, options, seed) for seed in seeds for task, name, count, options in plan]
    record = dict(
        command="python benchmarks/seq2seq.py " + " ".join(sys.argv[1:]),
        quick=args.quick,
        study=args.study,
        seeds=list(seeds),
        jobs=args.jobs,
        load_average_before=load_before,
        running_beside=f"each run shares the machine with {args.jobs - 1} other(s) (--jobs {args.jobs})",
        addition_book_settings=BOOK_SETTINGS,
        blas_environment=described(),
        machine=machine_info(),
    )
    rows, earlier_seconds = finished_runs(out, record, runs) if args.resume else ([], 0.0)
    done = {(row["task"], row["config"], row["seed"]) for row in rows}
    to_run = [run for run in runs if (answers_task(run[0]), run[1], run[4]) not in done]
    record["pieces"] = record_pieces(out, args.resume) + [dict(runs=len(to_run), load_average_before=load_before)]
    started -= earlier_seconds  # "seconds" counts every piece's time
    print(f"{len(rows)} of {len(runs)} runs kept from {out}; {len(to_run)} to run", flush=True)
    # A fresh process per run (the book's code changes the directory and sys.path).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=args.jobs, mp_context=context, max_tasks_per_child=1) as pool:
        futures = [pool.submit(job, *run, args.figures) for run in to_run]
        for future in as_completed(futures):
            rows.append(future.result())
            # Written after every run: a benchmark stopped early still leaves what it measured.
            summaries = write_results(out, record, plan, rows, started, complete=len(rows) == len(runs))
    if not to_run:
        summaries = write_results(out, record, plan, rows, started, complete=True)
    plot_curves(
        [s for s in summaries if s["task"] == "addition"], Path(args.figures) / figure_name(args.study), CURVES_TITLE
    )
    print(f"written to {out}")
    for summary in summaries:
        final = summary["test_exact_match"]
        seeds_line = " ".join(f"{100 * v:.2f}" for v in summary["test_exact_match_by_seed"].values())
        print(
            f"{summary['task']:8} {summary['config']:55} mean {100 * final['mean']:6.2f}% "
            f"[{100 * final['min']:.2f}, {100 * final['max']:.2f}]  seeds: {seeds_line}"
        )


CURVES_TITLE = "addition, the book's settings: mean over the seeds, their range shaded"


def figure_name(study):
    return f"seq2seq_study_{study}.png" if study else "seq2seq_addition.png"


def markdown_tables(document):
    """One Markdown table per task of a results document: each configuration's mean, range and
    seeds (exact match, %), its mean wall time and, for addition, that time ÷ the book's code's.
    docs/seq2seq.md quotes this output as it is (tests/docs/test_seq2seq_tables.py checks it)."""
    tables = []
    for task in ("addition", "dates", "copy"):
        summaries = document[task]
        if not summaries:
            continue
        book = [s for s in summaries if s["config"] == BOOK_CONFIG]
        book_wall = book[0]["wall_seconds"]["mean"] if book else None
        header = f"| {task} | mean | min–max | by seed | mean wall time |" + (" ÷ the book's |" if book_wall else "")
        lines = [header, "|---" * (5 + bool(book_wall)) + "|"]
        for summary in summaries:
            final = summary["test_exact_match"]
            seeds = ", ".join(f"{100 * v:.2f}" for v in summary["test_exact_match_by_seed"].values())
            wall = summary["wall_seconds"]["mean"]
            line = (
                f"| {summary['config']} | **{100 * final['mean']:.2f}%** | "
                f"{100 * final['min']:.2f}–{100 * final['max']:.2f}% | {seeds} | {wall:.0f} s |"
            )
            lines.append(line + (f" {wall / book_wall:.2f} |" if book_wall else ""))
        tables.append("\n".join(lines))
    return "\n\n".join(tables)


def study_table(documents):
    """One Markdown table of the addition rows of several study files ({file name: document}):
    each configuration's mean, range and seeds, and per seed the exact match at epoch 10 (how soon
    it left the plateau) and the lowest of its last five epochs (how much the end swings), in %.
    docs/seq2seq.md quotes this output as it is (tests/docs/test_seq2seq_tables.py checks it)."""
    lines = [
        "| reversed + peeky, 25 epochs | mean | min–max | final, by seed | at epoch 10 | lowest of the last 5 | file |",
        "|---" * 7 + "|",
    ]
    for name, document in documents.items():
        for summary in document["addition"]:
            final = summary["test_exact_match"]
            courses = [run["exact_match_by_epoch"] for run in sorted(summary["runs"], key=lambda run: run["seed"])]
            finals = ", ".join(f"{seed}: {100 * v:.2f}" for seed, v in summary["test_exact_match_by_seed"].items())
            at_ten = ", ".join(f"{100 * course[9]:.1f}" for course in courses)
            lowest = ", ".join(f"{100 * min(course[-5:]):.1f}" for course in courses)
            lines.append(
                f"| {summary['config']} | **{100 * final['mean']:.2f}%** | "
                f"{100 * final['min']:.2f}–{100 * final['max']:.2f}% | {finals} | {at_ten} | {lowest} | {name} |"
            )
    return "\n".join(lines)


def replot(results, figures):
    """The addition figure of ``results`` (a file this script wrote), drawn again."""
    document = json.loads(results.read_text())
    path = figures / figure_name(document.get("study"))
    plot_curves(document["addition"], path, CURVES_TITLE)
    print(f"drawn to {path}")


SAME_SETTINGS = ("quick", "study", "seeds", "addition_book_settings")


def answers_task(task):
    """The task a run's row is filed under: the book's code answers the addition questions."""
    return "addition" if task == "book" else task


def finished_runs(out, record, runs):
    """The rows of ``runs`` an earlier invocation wrote to ``out`` and its seconds, for --resume.

    Refused (SystemExit, one line) when ``out`` was written with other settings: mixing them would
    put runs of two different experiments in one table."""
    if not out.exists():
        return [], 0.0
    earlier = json.loads(out.read_text())
    for key in SAME_SETTINGS:
        if earlier.get(key) != json.loads(json.dumps(record[key])):
            raise SystemExit(f"{out} was written with {key}={earlier.get(key)!r}, not {record[key]!r}; drop --resume")
    wanted = {(answers_task(task), name, seed): options for task, name, _, options, seed in runs}
    rows = [
        row
        for summary in earlier["addition"] + earlier["dates"] + earlier["copy"]
        for row in summary["runs"]
        if (row["task"], row["config"], row["seed"]) in wanted
        and ran_as_planned(row, wanted[row["task"], row["config"], row["seed"]])
    ]
    return rows, float(earlier["seconds"])


def ran_as_planned(row, options):
    """Whether a kept row's model was built with the planned options (a configuration's settings may
    have changed under its name since the row was written: its initialisation, say)."""
    model = row.get("model", {})
    return all(model[key] == value for key, value in (options or {}).items() if key in model)


def record_pieces(out, resume):
    """The pieces (invocations) an earlier run of --resume recorded, oldest first."""
    if not (resume and out.exists()):
        return []
    earlier = json.loads(out.read_text())
    return earlier.get("pieces", [dict(load_average_before=earlier["load_average_before"])])


def write_results(out, record, plan, rows, started, complete):
    """The results document of the runs finished so far (``complete``: all of them); returns the summaries."""
    summaries = []
    for task, name, *_ in plan:
        task = answers_task(task)
        mine = sorted(
            (row for row in rows if (row["task"], row["config"]) == (task, name)), key=lambda row: row["seed"]
        )
        if mine:
            summaries.append(summarise(mine))
    by_task = {task: [s for s in summaries if s["task"] == task] for task in ("addition", "dates", "copy")}
    write_json(
        out,
        dict(
            finished=timestamp(),
            complete=complete,
            **record,
            seconds=time.perf_counter() - started,
            load_average_after=os.getloadavg(),
            addition=by_task["addition"],
            dates=by_task["dates"],
            copy=by_task["copy"],
        ),
    )
    return summaries


if __name__ == "__main__":
    main()
