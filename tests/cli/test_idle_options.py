"""`gatedrnn train` refuses an option the run would not use, naming the option it needs."""

import pytest

from gatedrnn.cli import main


def dry_run(tmp_path, *options):
    text = tmp_path / "words.txt"
    text.write_text("the cat sat on the mat\n" * 50)
    return main(["train", "--text", str(text), "--out", str(tmp_path / "run"), "--dry-run", *options])


@pytest.mark.parametrize(
    "options, needs",
    [
        (["--init-scale", "0.5"], "--init-scale has no effect in this run: it needs --init uniform"),
        (["--adaptive-div-value", "2"], "--adaptive-div-value has no effect in this run: it needs --adaptive-softmax"),
        (["--lr-decay", "2"], "--lr-decay has no effect in this run: it needs --schedule plateau or step"),
        (
            ["--schedule", "plateau", "--decay-start", "3"],
            "--decay-start has no effect in this run: it needs --schedule step",
        ),
        (["--locked-dropout"], "--locked-dropout has no effect in this run: it needs --dropout p with p > 0"),
        (["--data-dir", "."], "--data-dir says where the Penn Treebank is, but this run reads --text FILE"),
    ],
)
def test_an_option_the_run_would_not_use_is_refused(tmp_path, capsys, options, needs):
    # each trained to the same digits as without it, recorded as "changed here", held against a resume
    assert dry_run(tmp_path, *options) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"gatedrnn: error: {needs}") and err.count("\n") == 1


@pytest.mark.parametrize(
    "options",
    [
        ["--init", "uniform", "--init-scale", "0.5"],
        ["--no-tie-weights", "--adaptive-softmax", "auto", "--adaptive-div-value", "2"],
        ["--schedule", "plateau", "--lr-decay", "2"],
        ["--schedule", "step", "--lr-decay", "2", "--decay-start", "3"],
        ["--dropout", "0.2", "--locked-dropout"],
        ["--preset", "small", "--init-scale", "0.05"],  # the preset's init is uniform
        ["--preset", "medium", "--init", "book"],  # the preset's own init_scale is not the user's
    ],
)
def test_the_same_options_with_their_partner_are_taken(tmp_path, capsys, options):
    assert dry_run(tmp_path, *options) == 0, capsys.readouterr().err
