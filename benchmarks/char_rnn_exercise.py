"""The seed notes' failed char-RNN exercise, every variant over several seeds, on two paragraphs.

    nice python benchmarks/char_rnn_exercise.py --jobs 2     # about 30 minutes on a busy 2-core machine

Trains the notes' tanh RNN (H = 35, Adam 0.01, one-hot inputs, teacher forcing) to recite a
paragraph, in eight variants: with all six faults (the notes' run), with each fault left in
alone while the others are fixed, and with none (gatedrnn.lm.char_rnn_exercise.FAULTS), from
each of --seeds seeds, on two paragraphs: the project's own (871 characters) and the notes'
(875 characters, with their 44-character alphabet). Training stops when the model has learnt
the paragraph (sound greedy generation writes it and stops) or after --max-updates; then each
variant's own generation is judged. A variant succeeds on a seed when its generation writes
the paragraph exactly and stops, within the budget.

Every run is on one thread (deterministic: the same seed gives the same digits, whatever the
machine's load; the thread count changes the rounding and, over ~2,000 chaotic updates, the
outcome). Variants that differ only in generation share one training per seed
(run_variants). With ``--jobs 2`` two trainings run at once, in two processes.

Reports per variant and paragraph: the success rate, the updates to recite (median and range
over the successful seeds) and each seed's outcome. The JSON goes to
``benchmarks/results/char_rnn_exercise.json``, rewritten after every finished training, so an
interrupted run leaves what it measured; docs/characters.md quotes it.
"""

import argparse
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from blas_environment import KEEP_FLAG, KEEP_HELP, described, run_without_overrides  # noqa: E402

run_without_overrides()  # the processor's own OpenBLAS kernel, as every benchmark (blas_environment.py)

from gatedrnn import threads  # noqa: E402
from gatedrnn.files import machine_info, timestamp, write_json  # noqa: E402
from gatedrnn.lm import char_rnn_exercise as exercise  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "char_rnn_exercise.json"
PARAGRAPHS = {
    "project": (exercise.PARAGRAPH, None),
    "notes": (exercise.NOTES_PARAGRAPH, exercise.NOTES_CHARACTERS),
}


def variants():
    """label → faults left in: the notes' run, each fault alone, and the fixed run."""
    table = {"all six faults (the notes' run)": tuple(exercise.FAULTS)}
    table.update({f"only {fault}": (fault,) for fault in exercise.FAULTS})
    table["no fault"] = ()
    return table


def trainings(labels):
    """The variants grouped by the training they share: training faults → labels."""
    groups = {}
    for label in labels:
        key = tuple(sorted(set(variants()[label]) & set(exercise.TRAINING_FAULTS)))
        groups.setdefault(key, []).append(label)
    return groups


def train_and_judge(paragraph, seed, labels, max_updates, check_every):
    """One training (one process, one thread) and the judgement of each variant that shares it."""
    text, characters = PARAGRAPHS[paragraph]
    chosen = {label: variants()[label] for label in labels}
    started = time.perf_counter()
    with threads.settings(deterministic=True):  # one thread: a re-run gives the same digits
        results = exercise.run_variants(
            text, chosen, characters, max_updates=max_updates, check_every=check_every, seed=seed
        )
    seconds = time.perf_counter() - started
    return [
        dict(
            paragraph=paragraph,
            variant=label,
            seed=seed,
            exact=result["exact"],
            learnt_at=result["learnt_at"],
            updates=result["updates"],
            correct_prefix=result["correct_prefix"],
            final_loss=result["losses"][-1],
            recited_head=result["recited"][:60],
            recited_tail=result["recited"][-60:],
            training_seconds=seconds,
        )
        for label, result in results.items()
    ]


def summary(rows, paragraph, label, seeds):
    """Success rate, updates to recite and the per-seed outcomes of one variant on one paragraph."""
    mine = sorted((row for row in rows if row["paragraph"] == paragraph and row["variant"] == label), key=seed_of)
    recited = [row["updates"] for row in mine if row["exact"]]
    learnt = [row["learnt_at"] for row in mine if row["learnt_at"] is not None]
    return dict(
        paragraph=paragraph,
        variant=label,
        faults=sorted(variants()[label]),
        seeds_run=len(mine),
        seeds_planned=len(seeds),
        successes=len(recited),
        success_rate=len(recited) / len(mine) if mine else None,
        updates_to_recite=spread(recited),
        model_learnt=len(learnt),
        updates_to_learn=spread(learnt),
        per_seed=[{key: row[key] for key in row if key not in ("paragraph", "variant")} for row in mine],
    )


def seed_of(row):
    return row["seed"]


def spread(values):
    """Median and range, or None for no values."""
    if not values:
        return None
    return dict(median=statistics.median(values), min=min(values), max=max(values))


def write(args, rows, labels, seeds, started, complete):
    write_json(
        args.out,
        dict(
            finished=timestamp() if complete else None,
            complete=complete,
            command="python " + " ".join(["benchmarks/char_rnn_exercise.py", *sys.argv[1:]]),
            hidden_size=35,
            faults=exercise.FAULTS,
            training_faults=list(exercise.TRAINING_FAULTS),
            max_updates=args.max_updates,
            check_every=args.check_every,
            seeds=seeds,
            success="the variant's own greedy generation writes the paragraph exactly and stops, within max_updates",
            paragraphs={
                name: dict(characters=len(text), distinct=len(set(text)), alphabet=len(exercise.alphabet(text, chars)))
                for name, (text, chars) in PARAGRAPHS.items()
                if name in args.paragraphs
            },
            variants=[
                summary(rows, paragraph, label, seeds)
                for paragraph in args.paragraphs
                for label in labels
                if paragraph == args.paragraphs[0] or label not in args.first_paragraph_only
            ],
            first_paragraph_only=args.first_paragraph_only,
            wall_seconds=time.perf_counter() - started,
            jobs=args.jobs,
            blas_environment=described(),
            machine=machine_info(),
        ),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0 … N−1 (default: 5)")
    parser.add_argument("--max-updates", type=int, default=2000, help="the update budget (default: 2000)")
    parser.add_argument("--check-every", type=int, default=25)
    parser.add_argument("--paragraphs", nargs="+", choices=list(PARAGRAPHS), default=list(PARAGRAPHS))
    parser.add_argument("--only", nargs="+", metavar="LABEL", help="these variants only (default: all eight)")
    parser.add_argument(
        "--first-paragraph-only",
        nargs="+",
        default=[],
        metavar="LABEL",
        help="run these variants on the first of --paragraphs only (to fit a time budget; the JSON says so)",
    )
    parser.add_argument("--jobs", type=int, default=1, help="trainings at once, one process each (default: 1)")
    parser.add_argument(KEEP_FLAG, action="store_true", help=KEEP_HELP)
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args()
    labels = args.only or list(variants())
    unknown = sorted((set(labels) | set(args.first_paragraph_only)) - set(variants()))
    if unknown:
        parser.error(f"unknown variant(s) {unknown}; choose from {list(variants())}")
    seeds = list(range(args.seeds))
    # The longest trainings first (fixed, then the single training faults), so that two jobs end together.
    tasks = [
        (paragraph, seed, group, args.max_updates, args.check_every)
        for key, group in sorted(trainings(labels).items(), key=lambda item: "ten_updates" in item[0])
        for seed in seeds
        for paragraph in args.paragraphs
        if paragraph == args.paragraphs[0] or not set(group) & set(args.first_paragraph_only)
    ]
    started, rows = time.perf_counter(), []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for future in as_completed([pool.submit(train_and_judge, *task) for task in tasks]):
            finished = future.result()
            rows.extend(finished)
            for row in finished:
                outcome = f"recited at {row['updates']}" if row["exact"] else "not recited"
                learnt = f"learnt at {row['learnt_at']}" if row["learnt_at"] else "not learnt"
                print(
                    f"{row['paragraph']:<8} seed {row['seed']}  {row['variant']:<32} {outcome:<18} {learnt:<16} "
                    f"{row['correct_prefix']:>3} chars right  ({row['training_seconds']:.0f} s): "
                    f"{row['recited_head'][:30]!r}",
                    flush=True,
                )
            write(args, rows, labels, seeds, started, complete=False)
    write(args, rows, labels, seeds, started, complete=True)
    for paragraph in args.paragraphs:
        for label in labels:
            if paragraph != args.paragraphs[0] and label in args.first_paragraph_only:
                continue
            row = summary(rows, paragraph, label, seeds)
            updates = row["updates_to_recite"]
            shown = f"median {updates['median']:g} ({updates['min']}–{updates['max']})" if updates else "—"
            print(f"{paragraph:<8} {label:<32} {row['successes']}/{row['seeds_run']} recited; updates {shown}")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
