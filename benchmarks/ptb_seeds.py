"""Test perplexity of one PTB recipe over seeds: the mean and range the README and docs quote.

    python benchmarks/ptb_seeds.py benchmarks/results/ptb_rnnlm.json \\
        benchmarks/results/ptb_rnnlm_seed1.json benchmarks/results/ptb_rnnlm_seed2.json

prints ``rnnlm: test perplexity 135.9 on average (135.4–136.3) over 3 seeds (0, 1, 2)``.

Each file is one written by ``gatedrnn train --results FILE``. The files must be runs of one
recipe that differ only in their seed: the same preset, corpus, model and training settings,
each seed once; otherwise the mean would mix, say, a 1-epoch run with 40-epoch ones, or an
adaptive read-out with a full one, and the script refuses with the setting that differs.
tests/docs/test_seed_summaries.py keeps the pages' sentences equal to this summary.
"""

import argparse
import json
import sys
from pathlib import Path
from statistics import mean


class MixedRuns(ValueError):
    """The files are not one recipe over seeds."""


OFF = (None, False, 0, 0.0)
# Settings read only while another is on: the adaptive read-out's divisor means nothing
# without the adaptive read-out, and files written before the divisor existed omit it.
READ_ONLY_WITH = {"model.adaptive_div_value": "model.adaptive_softmax"}


def settings_of(document):
    """{'model.hidden_size': 650, 'training.epochs': 40, ...}: every setting but the seed.

    Settings that are off are left out: files written before an option existed (recurrent
    dropout, weight drop, ...) do not record it, and it was off in their runs. So are settings
    that only matter while another is on (READ_ONLY_WITH) when that one is off.
    """
    settings = {"corpus": document.get("corpus")}
    for part in ("model", "training"):
        settings.update({f"{part}.{key}": value for key, value in document[part].items() if key != "seed"})
    unread = {key for key, switch in READ_ONLY_WITH.items() if settings.get(switch) in OFF}
    return {key: value for key, value in settings.items() if value not in OFF and key not in unread}


def run_of(path):
    """(preset, settings but the seed, seed, test ppl) of one results file."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    return document["preset"], settings_of(document), document["training"]["seed"], document["test_ppl"]


def first_difference(settings, other):
    """The name of a setting (corpus, model or training) whose value differs between two runs."""
    return next(key for key in sorted(set(settings) | set(other)) if settings.get(key) != other.get(key))


def summary(paths):
    """{preset, seeds, mean, min, max} of the test perplexities of one recipe's runs over seeds."""
    runs = [run_of(path) for path in paths]
    if not runs:
        raise MixedRuns("no results files given; pass the files of one recipe's runs, one per seed")
    preset, settings, _, _ = runs[0]
    for path, (other_preset, other_settings, _, _) in zip(paths, runs, strict=True):
        if other_preset != preset:
            raise MixedRuns(f"{path} is a {other_preset} run, not {preset}; pass the files of one preset")
        if other_settings != settings:
            key = first_difference(settings, other_settings)
            raise MixedRuns(
                f"{path} has {key}={other_settings.get(key)!r}, the first file {settings.get(key)!r};"
                " pass runs that differ only in their seed"
            )
    seeds = [seed for _, _, seed, _ in runs]
    if len(set(seeds)) != len(seeds):
        raise MixedRuns(f"a seed appears twice among {seeds}; pass each seed's run once")
    tests = [test for _, _, _, test in runs]
    return dict(preset=preset, seeds=seeds, mean=mean(tests), min=min(tests), max=max(tests))


def sentence(figures):
    """One line: 'rnnlm: test perplexity 135.9 on average (135.4–136.3) over 3 seeds (0, 1, 2)'."""
    seeds = ", ".join(str(seed) for seed in figures["seeds"])
    return (
        f"{figures['preset']}: test perplexity {figures['mean']:.1f} on average "
        f"({figures['min']:.1f}–{figures['max']:.1f}) over {len(figures['seeds'])} seeds ({seeds})"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", help="results files written by gatedrnn train --results, one per seed")
    args = parser.parse_args()
    try:
        print(sentence(summary(args.results)))
    except MixedRuns as error:
        sys.exit(f"ptb_seeds.py: {error}")


if __name__ == "__main__":
    main()
