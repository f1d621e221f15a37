"""The pages' seed means are benchmarks/ptb_seeds.py's summary of the results files.

A PTB recipe run over several seeds is quoted as a mean and a range ("135.9 on average
(135.4–136.3)"); these tests find every such quote in the README and the docs and check it is
the summary of one recipe's files, and that the README quotes every recipe that has more than
one seed. A seed's file landing without the pages being updated fails here.
"""

import json
import re

import pytest
from helpers.paths import REPO, load_script

RESULTS = REPO / "benchmarks" / "results"
PAGES = ("README.md", "docs/language-models.md", "docs/ko/chapter6.md")
# A recipe's seed-0 run and its other seeds' runs, by file name.
RECIPES = {"rnnlm": "ptb_rnnlm", "better-rnnlm": "ptb_better_rnnlm"}
QUOTES = (
    re.compile(r"(\d+\.\d) on average \((\d+\.\d)(?:–| to )(\d+\.\d)\)?"),
    re.compile(r"평균 (\d+\.\d)\((\d+\.\d)~(\d+\.\d)\)"),
)


@pytest.fixture(scope="module")
def seeds_module():
    return load_script(REPO / "benchmarks" / "ptb_seeds.py", "ptb_seeds")


def files_of(stem):
    """The seed-0 run's file and every other seed's, e.g. ptb_rnnlm.json, ptb_rnnlm_seed1.json, ..."""
    return [RESULTS / f"{stem}.json", *sorted(RESULTS.glob(f"{stem}_seed*.json"))]


def rounded(figures):
    return tuple(round(figures[key], 1) for key in ("mean", "min", "max"))


def quotes_in(page):
    """(mean, min, max) of every seed summary quoted on a page, its line breaks undone."""
    text = " ".join((REPO / page).read_text(encoding="utf-8").split())
    return [tuple(float(n) for n in found.groups()) for pattern in QUOTES for found in pattern.finditer(text)]


@pytest.fixture(scope="module")
def summaries(seeds_module):
    """{recipe: (mean, min, max)} for each recipe with more than one seed's file."""
    return {
        recipe: rounded(seeds_module.summary(files_of(stem)))
        for recipe, stem in RECIPES.items()
        if len(files_of(stem)) > 1
    }


@pytest.mark.parametrize("page", PAGES)
def test_every_seed_mean_on_a_page_is_a_recipes_summary(page, summaries):
    quotes = quotes_in(page)
    assert quotes, f"{page} quotes no seed mean"
    for quote in quotes:
        assert quote in summaries.values(), f"{page} quotes {quote}; the files give {summaries}"


def test_the_readme_quotes_every_recipe_run_over_seeds(summaries):
    quoted = set(quotes_in("README.md"))
    for recipe, figures in summaries.items():
        assert figures in quoted, f"the README does not quote {recipe}'s seed mean {figures}"


def test_the_summary_refuses_runs_of_different_recipes(seeds_module):
    with pytest.raises(seeds_module.MixedRuns, match="epochs=1"):
        seeds_module.summary([RESULTS / "ptb_better_rnnlm.json", RESULTS / "ptb_better_rnnlm_1epoch.json"])
    with pytest.raises(seeds_module.MixedRuns, match="adaptive_softmax"):
        seeds_module.summary([RESULTS / "ptb_rnnlm.json", RESULTS / "ptb_rnnlm_adaptive.json"])
    with pytest.raises(seeds_module.MixedRuns, match="not rnnlm"):
        seeds_module.summary([RESULTS / "ptb_rnnlm.json", RESULTS / "ptb_better_rnnlm.json"])
    with pytest.raises(seeds_module.MixedRuns, match="twice"):
        seeds_module.summary([RESULTS / "ptb_rnnlm.json", RESULTS / "ptb_rnnlm.json"])


def test_the_summary_is_the_mean_and_range_of_the_test_perplexities(seeds_module):
    paths = files_of("ptb_rnnlm")
    tests = [json.loads(path.read_text())["test_ppl"] for path in paths]
    figures = seeds_module.summary(paths)
    assert figures["mean"] == pytest.approx(sum(tests) / len(tests))
    assert (figures["min"], figures["max"]) == (min(tests), max(tests))
    assert seeds_module.sentence(figures).startswith(f"rnnlm: test perplexity {figures['mean']:.1f} on average")


def written_as(tmp_path, source, name, seed, **model_changes):
    """A copy of a results file with another seed and some model settings changed."""
    document = json.loads((RESULTS / source).read_text(encoding="utf-8"))
    document["training"]["seed"] = seed
    document["model"].update(model_changes)
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_a_setting_read_only_with_the_adaptive_softmax_is_ignored_without_it(seeds_module, tmp_path):
    # Seed 0's BetterRnnlm file predates adaptive_div_value; a later seed's records its
    # default 4.0, unused since that run's read-out is the full softmax.
    later_seed = written_as(tmp_path, "ptb_better_rnnlm.json", "seed1.json", 1, adaptive_div_value=4.0)
    figures = seeds_module.summary([RESULTS / "ptb_better_rnnlm.json", later_seed])
    assert figures["seeds"] == [0, 1]
    adaptive = {"adaptive_softmax": [2000], "adaptive_div_value": 4.0}
    first = written_as(tmp_path, "ptb_better_rnnlm.json", "a.json", 0, **adaptive)
    other_divisor = written_as(
        tmp_path, "ptb_better_rnnlm.json", "b.json", 1, **{**adaptive, "adaptive_div_value": 2.0}
    )
    with pytest.raises(seeds_module.MixedRuns, match="adaptive_div_value=2.0"):
        seeds_module.summary([first, other_divisor])
