"""The gradient lab: the numbers behind each figure, and the ``gatedrnn lab`` command."""

import argparse
import inspect
import json

import numpy as np
import pytest

from gatedrnn.checkpoint import save_checkpoint
from gatedrnn.cli import main
from gatedrnn.cli.options import add_option, add_signature_options
from gatedrnn.data import Vocabulary
from gatedrnn.errors import GatedRNNError
from gatedrnn.lab import EXPERIMENTS, activations, clipping, gradient_flow, long_range, matmul_norms, units
from gatedrnn.lab.models import LastStepModel, build_recurrent
from gatedrnn.lab.tasks import LONG_RANGE_TASKS, adding_problem, get_task, recall_first_token
from gatedrnn.lab.training import MeanSquaredError, criterion_for
from gatedrnn.lm.config import ModelConfig, TrainConfig
from gatedrnn.lm.model import LanguageModel

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# -- matmul-norms ---------------------------------------------------------------------------
def test_scale_one_grows_and_scale_half_shrinks_geometrically():
    results = matmul_norms.run()  # the textbook setting: N = 2, H = 3, T = 20
    grow, shrink = results["curves"]["1"], results["curves"]["0.5"]
    assert grow["spectral_radius"] > 1 > shrink["spectral_radius"]
    assert grow["norms"][-1] > 100 * grow["norms"][0]
    assert shrink["norms"][-1] < shrink["norms"][0] / 100
    # geometric: once settled, the norm changes by the spectral radius per step (the power method)
    for curve in (grow, shrink):
        assert curve["growth_rate"] == pytest.approx(curve["spectral_radius"], rel=0.05)
    # and the two are one curve: k steps of (0.5 W)ᵀ are 0.5^k times k steps of Wᵀ
    k = np.arange(1, results["steps"] + 1)
    np.testing.assert_allclose(shrink["norms"], np.array(grow["norms"]) * 0.5**k, rtol=1e-10)


@pytest.mark.parametrize("seed", range(6))
def test_growth_rate_is_the_spectral_radius_for_any_draw(seed):
    results = matmul_norms.run(steps=40, seed=seed)
    for curve in results["curves"].values():
        assert curve["growth_rate"] == pytest.approx(curve["spectral_radius"], rel=0.1)
        if abs(curve["spectral_radius"] - 1) > 0.1:
            assert (curve["norms"][-1] > curve["norms"][0]) == (curve["spectral_radius"] > 1)


def test_tanh_derivative_in_the_loop_only_takes_gradient_away():
    results = matmul_norms.run()
    for curve in results["curves"].values():
        assert curve["growth_rate_with_tanh"] < curve["growth_rate"]
        assert curve["norms_with_tanh"][-1] < curve["norms"][-1]


def test_matmul_norms_rejects_bad_settings():
    with pytest.raises(GatedRNNError, match="scales"):
        matmul_norms.run(scales=(1.0, -0.5))
    with pytest.raises(GatedRNNError, match="steps"):
        matmul_norms.run(steps=1)


def test_matmul_norms_book_setting_gives_the_books_digits():
    """--book: W_h from np.random.seed(3); np.random.randn(3, 3), dh = ones (2, 3) times W_hᵀ
    twenty times, ‖dh‖_F / 2 after each step — written out here as the book's loop does it."""
    results = matmul_norms.run(book=True)
    w_h = np.random.RandomState(3).randn(3, 3)
    for scale in (1.0, 0.5):
        dh, expected = np.ones((2, 3)), []
        for _ in range(20):
            dh = np.dot(dh, (w_h * scale).T)
            expected.append(np.sqrt(np.sum(dh**2)) / 2)
        assert results["curves"][f"{scale:g}"]["norms"] == pytest.approx(expected, rel=1e-12)
    assert results["book"] and results["w_h_seed"] == 3 and results["seed"] == 0
    assert results["curves"]["1"]["norms"][-1] > 100 > 1e-3 > results["curves"]["0.5"]["norms"][-1]


def test_matmul_norms_book_records_the_seed_it_was_given():
    # --book --seed 9 was recorded as seed 3, though seed 9 drew the tanh′ curves' W_x and inputs
    nine, zero = matmul_norms.run(book=True, seed=9), matmul_norms.run(book=True)
    assert (nine["seed"], nine["w_h_seed"]) == (9, 3)
    assert nine["curves"]["1"]["norms"] == zero["curves"]["1"]["norms"]  # the book's W_h either way
    assert nine["curves"]["1"]["norms_with_tanh"] != zero["curves"]["1"]["norms_with_tanh"]


@pytest.mark.parametrize("book", ["yes", 1])
def test_matmul_norms_book_is_true_or_false(book):
    with pytest.raises(GatedRNNError, match="book must be True or False"):
        matmul_norms.run(book=book)


def test_matmul_norms_book_setting_refuses_other_sizes():
    with pytest.raises(GatedRNNError, match="hidden_size 4 .the book's: 3."):
        matmul_norms.run(hidden_size=4, book=True)


def test_matmul_norms_book_command_prints_the_norms(tmp_path, capsys):
    from gatedrnn.cli import main

    assert main(["lab", "matmul-norms", "--book", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "W_h × 1: norms after 1 … 20 steps: 2.46841," in printed
    assert (tmp_path / "matmul-norms.png").exists()


# -- activations ----------------------------------------------------------------------------
def test_activation_derivatives_and_what_they_leave():
    curves = activations.run()["curves"]
    assert curves["tanh"]["max_derivative"] == pytest.approx(1.0)
    assert curves["sigmoid"]["max_derivative"] == pytest.approx(0.25)
    assert curves["relu"]["max_derivative"] == 1.0
    assert curves["tanh"]["mean_derivative"] == pytest.approx(0.6057, abs=0.01)  # E[1 - tanh²(x)], x ~ N(0, 1)
    assert curves["relu"]["mean_derivative"] == pytest.approx(0.5, abs=0.01)
    assert curves["sigmoid"]["steps_to_1e-6"] == 10  # 4⁻¹⁰ ≈ 9.5e-7
    assert curves["tanh"]["steps_to_1e-6"] is None


# -- tasks ----------------------------------------------------------------------------------
def test_adding_problem_marks_one_step_in_each_half_and_sums_them():
    inputs, targets = adding_problem(50, 12, np.random.default_rng(0))
    assert inputs.shape == (50, 12, 2) and targets.shape == (50, 1)
    markers = inputs[..., 1]
    assert np.all(markers[:, :6].sum(axis=1) == 1) and np.all(markers[:, 6:].sum(axis=1) == 1)
    np.testing.assert_allclose(targets[:, 0], (inputs[..., 0] * markers).sum(axis=1), rtol=1e-6)


def test_recall_answer_is_the_first_token_and_never_reappears():
    inputs, answers = recall_first_token(40, 30, np.random.default_rng(0))
    ids = inputs.argmax(axis=-1)
    assert inputs.shape == (40, 30, 12) and np.all(inputs.sum(axis=-1) == 1)
    np.testing.assert_array_equal(ids[:, 0], answers)
    assert np.all(ids[:, 1:] >= 8) and np.all(answers < 8)


def test_solved_thresholds():
    adding, recall = get_task("adding"), get_task("recall")
    assert adding.solved(0.005) and not adding.solved(0.1) and not adding.solved(float("nan"))
    assert recall.solved(0.97) and not recall.solved(0.5)
    with pytest.raises(GatedRNNError, match="unknown task"):
        get_task("copy")


def test_irnn_starts_from_the_identity_and_chrono_opens_the_forget_gate():
    generator = np.random.default_rng(0)
    irnn = build_recurrent("irnn", 3, 8, generator=generator)
    np.testing.assert_array_equal(irnn.weight_hh_l0.data, np.eye(8))
    assert not irnn.bias_ih_l0.data.any() and irnn.nonlinearity == "relu"
    lstm = build_recurrent("lstm", 3, 8, max_span=100, generator=generator)
    forget_bias = lstm.bias_ih_l0.data[8:16] + lstm.bias_hh_l0.data[8:16]
    assert np.all(forget_bias >= 0) and np.all(forget_bias <= np.log(99) + 1e-6)
    np.testing.assert_allclose(lstm.bias_ih_l0.data[:8], -forget_bias)


# -- gradient-flow --------------------------------------------------------------------------
def _probe(kind, length=12, seed=0):
    task = get_task("recall")
    model = LastStepModel(
        kind, task.input_size, 16, task.output_size, max_span=length, generator=np.random.default_rng(seed)
    )
    xs, targets = task.generate(5, length, np.random.default_rng(seed + 1))
    return model, task, xs, targets


def test_split_gradients_follow_the_rnn_backward_recurrence():
    """dL/dh_{t-1} = (dL/dh_t ⊙ (1 - h_t²)) W_hh, read off the layer's own backward at every split."""
    model, task, xs, targets = _probe("rnn-tanh")
    dh, dc = gradient_flow.state_gradients(model, criterion_for(task), xs, targets)
    assert dc is None
    hs = np.stack(gradient_flow.states_along(model.rnn, xs))[:, 0]  # (T, N, H): h after each step
    w_hh = model.rnn.weight_hh_l0.data
    for t in range(1, xs.shape[1]):
        expected = (dh[t] * (1 - hs[t] ** 2)) @ w_hh
        np.testing.assert_allclose(dh[t - 1], expected, rtol=2e-4, atol=1e-9)


def test_split_gradient_of_an_lstm_matches_a_finite_difference():
    model, task, xs, targets = _probe("lstm")
    model.rnn.to(np.float64), model.head.to(np.float64)
    xs = xs.astype(np.float64)
    criterion = criterion_for(task)
    dh, dc = gradient_flow.state_gradients(model, criterion, xs, targets)
    states = gradient_flow.states_along(model.rnn, xs)
    t, eps = 4, 1e-6
    h, c = states[t]
    for which, grad in ((0, dh[t]), (1, dc[t])):
        direction = grad / np.linalg.norm(grad)
        losses = []
        for sign in (1, -1):
            moved = [h.copy(), c.copy()]
            moved[which] = moved[which] + sign * eps * direction[None]
            losses.append(criterion(model(xs[:, t + 1 :], tuple(moved)), targets))
        assert (losses[0] - losses[1]) / (2 * eps) == pytest.approx(np.linalg.norm(grad), rel=1e-5)


def test_gated_cells_carry_the_gradient_further_than_the_tanh_rnn():
    results = gradient_flow.run(length=40, train_steps=0, progress=False)
    decay = {kind: entry["decay_per_step"]["untrained"] for kind, entry in results["models"].items()}
    reach = {
        kind: entry["untrained"]["h"][-1] / entry["untrained"]["h"][0] for kind, entry in results["models"].items()
    }
    assert decay["rnn-tanh"] < 0.75 < decay["lstm"] < decay["gru"]
    assert reach["rnn-tanh"] < 1e-6 and reach["gru"] > 1e-2


# -- long-range -----------------------------------------------------------------------------
@pytest.mark.slow
def test_at_length_100_lstm_and_gru_solve_recall_and_the_tanh_rnn_does_not():
    results = long_range.run(
        tasks=("recall",),
        models=("rnn-tanh", "lstm", "gru"),
        lengths=(100,),
        steps=800,
        test_count=500,
        compare_unclipped=False,
        progress=False,
    )
    scores = {r["model"]: r["score"] for r in results["runs"]}
    assert scores["lstm"] >= 0.95 and scores["gru"] >= 0.95
    assert scores["rnn-tanh"] < 0.5  # chance is 1/8
    assert results["longest_solved"]["recall"]["rnn-tanh"]["clip"] is None
    table = long_range.markdown_table(results)
    assert "| lstm | norm ≤ 1 |" in table and "T=100" in table


def test_long_range_table_and_figure_on_a_tiny_grid(tmp_path):
    results = long_range.run(
        tasks=("adding", "recall"), models=("rnn-tanh", "gru"), lengths=(5, 10), steps=20, test_count=50, progress=False
    )
    assert len(results["runs"]) == 2 * 2 * 2 * 2
    assert set(results["table"]["adding"]["gru"]) == {"clip", "no clip"}
    long_range.plot(results, tmp_path / "long.png")
    assert (tmp_path / "long.png").read_bytes().startswith(PNG_SIGNATURE)
    with pytest.raises(GatedRNNError, match="lengths"):
        long_range.run(lengths=(1,), progress=False)


# -- clipping -------------------------------------------------------------------------------
def test_clipping_bounds_the_update_norm():
    results = clipping.run(progress=False)
    clipped, unclipped = results["runs"]["clip"], results["runs"]["no clip"]
    bound = results["lr"] * results["clip"]
    assert clipped["update_bound"] == pytest.approx(bound)
    assert max(clipped["update_norms"]) <= bound * (1 + 1e-4)
    assert sum(norm > results["clip"] for norm in clipped["grad_norms"]) >= 10  # the clip did have work to do
    assert unclipped["max_update_norm"] > 10 * bound  # and without it updates jump
    assert unclipped["spikes"]
    assert clipped["mean_loss_last_50"] < 0.5 * unclipped["mean_loss_last_50"]


def test_spike_steps_compares_with_the_running_median():
    assert clipping.spike_steps([1.0, 1.1, 0.9, 50.0, 1.0, float("nan")], factor=10) == [4, 6]


# -- cells (gatedrnn.lab.units) ------------------------------------------------------------
def test_python_text_features_ignore_quotes_in_comments_and_brackets_in_strings():
    text = 'x = "a(b" # it\'s (\ny = [1, (2)]\n"""doc\n(""" + f(\'\\\'\')'
    features = units.python_text_features(text)
    quoted = "".join(ch for ch, q in zip(text, features["quotes"], strict=True) if q)
    assert quoted == '"a(b"' + '"""doc\n("""' + "'\\''"
    depth_at = {i: features["brackets"][i] for i, ch in enumerate(text)}
    assert depth_at[text.index("y")] == 0  # the ( in the string and the comment did not count
    assert depth_at[text.index("2")] == 2
    assert depth_at[text.index('"""')] == 0
    assert features["line"][text.index("y")] == 0 and features["line"][text.index("1")] == 5


def test_correlations_find_the_unit_that_tracks_a_feature():
    generator = np.random.default_rng(0)
    feature = (generator.random(500) > 0.5).astype(float)
    activations_ = generator.standard_normal((500, 6))
    activations_[:, 4] = -feature + 0.1 * generator.standard_normal(500)
    activations_[:, 2] = 0.0  # a dead unit must not divide by zero
    r = units.correlations(activations_, feature)
    assert r[2] == 0.0 and r[4] < -0.95
    assert units.top_units(r, 2)[0] == {"unit": 4, "r": pytest.approx(r[4])}


def _char_checkpoint(path, cell="lstm", level="char", lowercase=None, training=False):
    """An untrained language model saved as model_from_checkpoint reads it: weights, config, vocabulary
    (and, given ``lowercase``, a run record saying whether its training text was lower-cased)."""
    vocab = Vocabulary.build("abc xyz()'\"\n=#", unk_token="?", level=level)
    config = ModelConfig(
        vocab_size=len(vocab), embedding_size=8, hidden_size=12, num_layers=1, cell=cell, dropout=0.0, tie_weights=False
    )
    model = LanguageModel(config)
    metadata = dict(model=config.to_dict(), vocab=vocab.to_dict(), dtype="float32")
    if lowercase is not None:
        metadata["run"] = dict(data=dict(kind="text", level=level, lowercase=lowercase))
    if training:  # what eval reads its batch size and window length from
        metadata["training"] = TrainConfig(batch_size=2, eval_batch_size=2, seq_len=8).to_dict()
    save_checkpoint(path, {"model": model.state_dict()}, metadata)
    return path


def test_cells_reads_the_text_as_the_model_was_trained_lower_cased(tmp_path):
    checkpoint = _char_checkpoint(tmp_path / "lower.npz", lowercase=True)
    capitals, small = tmp_path / "capitals.py", tmp_path / "small.py"
    capitals.write_text("X = (ABC)\n" * 4)
    small.write_text("x = (abc)\n" * 4)
    shouting = units.run(checkpoint, text_path=capitals)
    assert shouting["activations"] == units.run(checkpoint, text_path=small)["activations"]
    assert shouting["text"].startswith("X = (ABC)")  # shown as written
    assert units.as_trained("İA", True) == "İa"  # a character whose lower case is longer stays


def test_cells_refuses_to_pick_a_unit_for_a_feature_the_text_lacks(tmp_path, capsys):
    checkpoint = _char_checkpoint(tmp_path / "char.npz")
    text = tmp_path / "plain.txt"
    text.write_text("abc xyz\n" * 10)
    arguments = ["lab", "cells", str(checkpoint), "--text", str(text), "--feature", "brackets"]
    assert main([*arguments, "--out", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err
    assert "have no open brackets, so no unit can be found tracking them" in err and err.count("\n") == 1
    assert main([*arguments, "--unit", "3", "--out", str(tmp_path / "b")]) == 0  # a named unit is still drawn
    assert "units tracking brackets: none (not in the text)" in capsys.readouterr().out
    report = json.loads((tmp_path / "b" / "cells.json").read_text())
    assert report["units"]["cell"]["brackets"] == [] and report["units"]["cell"]["line"]


def test_cells_cli_writes_html_png_and_json(tmp_path, capsys):
    checkpoint = _char_checkpoint(tmp_path / "char.npz")
    text = tmp_path / "t.py"
    text.write_text("x = 'abc'  # (\ny = (a, [b])\n" * 6, encoding="utf-8")
    out = tmp_path / "lab"
    assert main(["lab", "cells", str(checkpoint), "--text", str(text), "--out", str(out), "--feature", "brackets"]) == 0
    assert "units tracking brackets" in capsys.readouterr().out
    report = json.loads((out / "cells.json").read_text())
    assert report["state"] == "cell" and len(report["activations"]) == report["chars"] == len(text.read_text())
    assert report["unit"] == report["units"]["cell"]["brackets"][0]["unit"]
    page = (out / "cells.html").read_text(encoding="utf-8")
    assert page.count('<span style="background:rgb(') == report["chars"]
    assert (out / "cells.png").read_bytes().startswith(PNG_SIGNATURE)


def test_cells_errors_are_one_line(tmp_path, capsys):
    gru = _char_checkpoint(tmp_path / "gru.npz", cell="gru")
    words = _char_checkpoint(tmp_path / "words.npz", level="word")
    for argv, expected in (
        ([str(tmp_path / "missing.npz")], "does not exist"),
        ([str(gru), "--state", "cell"], "no cell state"),
        ([str(words)], "character-level"),
        ([str(gru), "--unit", "99"], "unit must be in"),
    ):
        assert main(["lab", "cells", *argv, "--out", str(tmp_path / "out")]) == 2
        err = capsys.readouterr().err
        assert expected in err and err.count("\n") == 1


# -- the command ----------------------------------------------------------------------------
@pytest.mark.parametrize("experiment", ["matmul-norms", "activations"])
def test_cli_writes_png_and_json(tmp_path, capsys, experiment):
    assert main(["lab", experiment, "--out", str(tmp_path), "--seed", "2"]) == 0
    assert "wrote" in capsys.readouterr().out
    assert (tmp_path / f"{experiment}.png").read_bytes().startswith(PNG_SIGNATURE)
    report = json.loads((tmp_path / f"{experiment}.json").read_text())
    assert report["experiment"] == experiment and report["seed"] == 2
    assert report["command"] == f"gatedrnn lab {experiment} --out {tmp_path} --seed 2"


def test_cli_gradient_flow_and_clipping_write_their_files(tmp_path):
    assert (
        main(
            [
                "lab",
                "gradient-flow",
                "--out",
                str(tmp_path),
                "--length",
                "8",
                "--train-steps",
                "5",
                "--hidden-size",
                "8",
                "--no-progress",
            ]
        )
        == 0
    )
    assert main(["lab", "clipping", "--out", str(tmp_path), "--steps", "30", "--no-progress"]) == 0
    for name in ("gradient-flow", "clipping"):
        assert (tmp_path / f"{name}.png").read_bytes().startswith(PNG_SIGNATURE)
        json.loads((tmp_path / f"{name}.json").read_text())  # strict JSON: no NaN


def test_lab_help_lists_every_experiment(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["lab", "--help"])
    assert exit_info.value.code == 0
    listed = capsys.readouterr().out
    for name in ("matmul-norms", "activations", "gradient-flow", "long-range", "clipping", "cells"):
        assert name in listed


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["lab", "long-range", "--lengths", "1"], "lengths must be integers of at least 2"),
        (["lab", "matmul-norms", "--scales", "0"], "scales must be positive"),
        (["lab", "clipping", "--lr", "0"], "lr must be a finite number > 0"),
        (["lab", "activations", "--seed", "-1"], "seed must be a whole number ≥ 0, got -1"),
        (["lab", "matmul-norms", "--seed", "-1"], "seed must be a whole number ≥ 0"),
        (["lab", "clipping", "--seed", "-2"], "seed must be a whole number ≥ 0"),
        (["lab", "gradient-flow", "--seed", "-1"], "seed must be a whole number ≥ 0"),
        (["lab", "long-range", "--seed", "-1"], "seed must be a whole number ≥ 0"),
        (["lab", "long-range", "--steps", "0"], "steps must be a whole number ≥ 1, got 0"),
        (["lab", "clipping", "--steps", "0"], "steps must be a whole number ≥ 1, got 0"),
        (["lab", "activations", "--steps", "0"], "steps must be a whole number ≥ 1, got 0"),
        (["lab", "gradient-flow", "--length", "2"], "length must be a whole number ≥ 3"),
        (["lab", "gradient-flow", "--train-steps", "-1"], "train_steps (--train-steps) must be a whole number ≥ 0"),
        (["lab", "gradient-flow", "--hidden-size", "0"], "hidden_size (--hidden-size) must be a whole number ≥ 1"),
        (["lab", "gradient-flow", "--clip", "-1"], "clip must be a finite number ≥ 0 (0 turns clipping off)"),
        (["lab", "long-range", "--clip", "0"], "would make them the same run; pass a value > 0, such as 1"),
        (["lab", "long-range", "--batch-size", "0"], "batch_size (--batch-size) must be a whole number ≥ 1"),
        (["lab", "clipping", "--length", "0"], "sequence length must be an integer of at least 1"),
    ],
)
def test_bad_values_give_one_line_errors(tmp_path, capsys, argv, expected):
    assert main(argv + ["--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["lab"],
        ["lab", "bogus"],
        ["lab", "long-range", "--models", "transformer"],
        ["lab", "clipping", "--steps", "many"],
    ],
)
def test_bad_arguments_give_one_line_usage_errors(capsys, argv):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error:" in err


def test_long_range_help_shows_the_default_of_run(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as exit_info:
        main(["lab", "long-range", "--help"])
    assert exit_info.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())  # undo argparse's line wrapping
    steps = inspect.signature(long_range.run).parameters["steps"].default
    assert steps == 800  # what docs/gradients.md's table was made with
    assert f"--steps STEPS max Adam steps per run (default: {steps})" in shown
    assert "--no-progress" in shown and "--tasks TASK [TASK ...]" in shown


def _parsed_defaults(experiment, *positionals):
    """The namespace `gatedrnn lab EXPERIMENT` parses to when given no options."""
    from gatedrnn.cli import build_parser

    return vars(build_parser().parse_args(["lab", experiment, *positionals]))


@pytest.mark.parametrize("experiment", list(EXPERIMENTS))
def test_every_lab_option_defaults_to_its_run_signature(experiment):
    parsed = _parsed_defaults(experiment, *(["model.npz"] if experiment == "cells" else []))
    signature = inspect.signature(EXPERIMENTS[experiment].run).parameters
    assert parsed["option_names"] and set(parsed["option_names"]) <= set(signature)
    for name in parsed["option_names"]:
        if signature[name].default is not inspect.Parameter.empty:
            assert parsed[name] == signature[name].default, name
            assert type(parsed[name]) is type(signature[name].default), name


# -- the trainer's step ---------------------------------------------------------------------
def test_mean_squared_error_backward_scales_the_gradient():
    criterion = MeanSquaredError()
    outputs, targets = np.array([[1.0], [3.0]]), np.array([[0.0], [1.0]])
    assert criterion(outputs, targets) == pytest.approx(2.5)
    np.testing.assert_allclose(criterion.backward(), [[1.0], [2.0]])
    np.testing.assert_allclose(criterion.backward(3.0), [[3.0], [6.0]])


def test_train_on_task_records_the_norm_before_clipping():
    from gatedrnn.lab.training import train_on_task

    task = LONG_RANGE_TASKS["adding"]
    model = LastStepModel("rnn-tanh", task.input_size, 8, task.output_size, generator=np.random.default_rng(0))
    history = train_on_task(model, task, 6, 5, np.random.default_rng(1), clip=1e-4)
    assert history["steps"] == 5 and not history["diverged"]
    assert min(history["grad_norms"]) > 1e-4  # recorded before the clip, not after


# -- cli.options ----------------------------------------------------------------------------
def _example(
    path,
    steps=20,
    lr=3e-3,
    scales=(1.0, 0.5),
    lengths=(10, 25),
    mode="fast",
    progress=True,
    tied=False,
    unit=None,
    hidden=7,
    *rest,
    **more,
):
    """A run() to build options from (its body is never called)."""


EXAMPLE_HELPS = dict(
    path="file to read",
    steps="T",
    lr="learning rate",
    scales="factors",
    lengths="lengths",
    mode="how",
    progress="show a bar",
    tied="tie them",
    unit="a unit (default: the best)",
)


def _example_parser(**overrides):
    parser = argparse.ArgumentParser(prog="example")
    options = dict(
        helps=EXAMPLE_HELPS,
        choices=dict(mode=("fast", "slow")),
        exclude=("hidden",),
        settings=dict(unit=dict(type=int), lengths=dict(metavar="T")),
    )
    names = add_signature_options(parser, _example, **{**options, **overrides})
    return parser, names


def test_options_take_names_types_and_defaults_from_the_signature():
    parser, names = _example_parser()
    assert names == ["path", "steps", "lr", "scales", "lengths", "mode", "progress", "tied", "unit"]
    defaults = vars(parser.parse_args(["in.txt"]))
    assert defaults == dict(
        path="in.txt",
        steps=20,
        lr=3e-3,
        scales=(1.0, 0.5),
        lengths=(10, 25),
        mode="fast",
        progress=True,
        tied=False,
        unit=None,
    )
    given = vars(
        parser.parse_args(
            [
                "in.txt",
                "--steps",
                "5",
                "--lr",
                "0.5",
                "--scales",
                "2",
                "3",
                "--lengths",
                "4",
                "--mode",
                "slow",
                "--no-progress",
                "--tied",
                "--unit",
                "3",
            ]
        )
    )
    assert given == dict(
        path="in.txt", steps=5, lr=0.5, scales=(2.0, 3.0), lengths=(4,), mode="slow", progress=False, tied=True, unit=3
    )
    assert type(given["scales"][0]) is float and type(given["lengths"][0]) is int


def test_options_help_shows_each_default_from_the_signature():
    parser, _ = _example_parser()
    shown = " ".join(parser.format_help().split())  # the columns argparse aligns do not matter
    for entry in (
        "--steps STEPS T (default: 20)",
        "--lr LR learning rate (default: 0.003)",
        "--scales SCALES [SCALES ...] factors (default: 1.0 0.5)",
        "--lengths T [T ...] lengths (default: 10 25)",
        "--mode {fast,slow} how (default: fast)",
        "--progress, --no-progress show a bar (default: True)",
        "--tied, --no-tied tie them (default: False)",
        "--unit UNIT a unit (default: the best)",
    ):
        assert entry in shown
    assert "positional arguments: path file to read " in shown  # no default: a positional argument
    assert "hidden" not in shown and "rest" not in shown and "more" not in shown
    assert shown.count("(default:") == 8  # none for path, and no "(default: None)" for unit


def test_options_refuse_bad_values_and_unknown_or_undescribed_names():
    parser, _ = _example_parser()
    for argv in (["x", "--steps", "many"], ["x", "--mode", "medium"], ["x", "--scales"], ["x", "--hidden", "3"]):
        with pytest.raises(SystemExit):
            parser.parse_args(argv)
    with pytest.raises(ValueError, match="hidden have no help"):
        _example_parser(exclude=())
    with pytest.raises(ValueError, match="does not take"):
        _example_parser(helps={**EXAMPLE_HELPS, "stpes": "typo"})
    with pytest.raises(ValueError, match="not among its choices"):
        _example_parser(choices=dict(mode=("slow",)))
    with pytest.raises(TypeError, match="one type"):
        add_option(argparse.ArgumentParser(), "mixed", (1, "a"), "mixed")


def test_option_flag_renames_but_keeps_the_parameter_as_dest():
    parser = argparse.ArgumentParser()
    add_option(parser, "text_path", None, "text (default: a built-in one)", flag="--text")
    add_option(parser, "pattern", "%d.png", "file names")  # argparse %-formats help: the default is escaped
    assert vars(parser.parse_args(["--text", "a.txt"])) == dict(text_path="a.txt", pattern="%d.png")
    assert "file names (default: %d.png)" in " ".join(parser.format_help().split())


def test_eval_scores_a_text_with_a_character_checkpoint_that_records_no_data(tmp_path, capsys):
    """Such as an old demo's: the vocabulary alone says how to cut a new text."""
    checkpoint = _char_checkpoint(tmp_path / "char.npz", training=True)
    text = tmp_path / "t.txt"
    text.write_text("abc xyz\n" * 20)
    assert main(["eval", str(checkpoint), "--text", str(text)]) == 0
    assert "perplexity" in capsys.readouterr().out
    assert main(["eval", str(checkpoint), "--split", "test"]) == 2
    assert "does not record its text file, so it has no splits to score" in capsys.readouterr().err
