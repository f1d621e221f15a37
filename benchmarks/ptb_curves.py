"""Validation perplexity by epoch of PTB runs, one line per results file, as one PNG.

    python benchmarks/ptb_curves.py --out docs/figures/ptb_better_recipes.png \\
        benchmarks/results/ptb_better_rnnlm.json benchmarks/results/ptb_better_rnnlm_seed1.json

Each file is one written by ``gatedrnn train --results FILE``; its line is labelled with the
run's preset and seed, and ends in a marker at the test perplexity of the model it scored
(the best-validation one, as the file's ``scored`` says). Lines of the same preset share a
colour, so seeds of one recipe read as a band. The y axis is logarithmic: the first epochs
(near 200) and the last (near 75) both stay readable.
"""

import argparse
import json
import sys
from pathlib import Path

from gatedrnn.figures import pyplot, save_figure

TICKS = (60, 70, 80, 90, 100, 125, 150, 200, 250, 300)


def run_of(path):
    """(label, preset, valid ppl by epoch, scored epoch, test ppl) of one results file."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    seed = document["training"]["seed"]
    preset = document["preset"]
    valid = document["valid_ppl_by_epoch"]
    # Files written before runs recorded best_epoch scored the best-validation model too.
    best_epoch = document.get("best_epoch", valid.index(min(valid)) + 1)
    return dict(
        label=f"{preset}, seed {seed}", preset=preset, valid=valid, best_epoch=best_epoch, test=document["test_ppl"]
    )


def plot(runs, out, title):
    """One line per run, coloured by preset and dashed anew for each further seed of one, with
    the scored model's test perplexity marked."""
    plt = pyplot()
    colours, seen = {}, {}
    styles = ("-", "--", ":", "-.")
    figure, axes = plt.subplots(figsize=(7, 4.2))
    for run in runs:
        colour = colours.setdefault(run["preset"], f"C{len(colours)}")
        style = styles[seen.setdefault(run["preset"], 0) % len(styles)]
        seen[run["preset"]] += 1
        epochs = range(1, len(run["valid"]) + 1)
        label = f"{run['label']}: test {run['test']:.2f}"
        axes.plot(epochs, run["valid"], color=colour, linestyle=style, label=label)
        axes.plot([run["best_epoch"]], [run["test"]], marker="o", color=colour, linestyle="none")
    axes.set_yscale("log")
    shown = [value for run in runs for value in run["valid"] + [run["test"]]]
    ticks = [tick for tick in TICKS if min(shown) * 0.9 <= tick <= max(shown) * 1.1]
    axes.set_yticks(ticks, [str(t) for t in ticks])
    axes.minorticks_off()
    axes.set_xlabel("epoch")
    axes.set_ylabel("validation perplexity (log scale)")
    axes.set_title(title)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    save_figure(figure, out)
    plt.close(figure)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", help="results files written by gatedrnn train --results")
    parser.add_argument("--out", required=True, help="the PNG to write")
    parser.add_argument("--title", default="Penn Treebank: validation perplexity by epoch (dots: test)")
    args = parser.parse_args()
    plot([run_of(path) for path in args.results], args.out, args.title)
    print(f"written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
