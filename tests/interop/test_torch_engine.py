"""--engine torch: the same steps as the NumPy engine, checkpoints either engine resumes, and
data-parallel processes under torchrun that give the one-process run's losses."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the torch engine needs PyTorch (pip install gatedrnn[torch])")

from helpers.tiny_runs import tiny_train_args, write_text  # noqa: E402

from gatedrnn.cli import main  # noqa: E402
from gatedrnn.data import TBPTTBatches  # noqa: E402
from gatedrnn.interop.torch_engine import TorchEngine  # noqa: E402
from gatedrnn.lm import LanguageModel, ModelConfig, TrainConfig  # noqa: E402
from gatedrnn.lm.engine import NumpyEngine  # noqa: E402
from gatedrnn.lm.trainer import OPTIMIZERS  # noqa: E402

DEVICES = [
    "cpu",
    pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU on this machine")),
]


def language_model(cell, dtype, seed=0, **overrides):
    settings = dict(
        vocab_size=40,
        embedding_size=12,
        hidden_size=12,
        num_layers=2,
        cell=cell,
        dropout=0.0,
        tie_weights=True,
        init="book",
    )
    settings.update(overrides)
    from gatedrnn import rng

    rng.seed(seed)
    return LanguageModel(ModelConfig(**settings), dtype=dtype)


def losses_of(engine_class, model, config, windows, **options):
    """The reported loss of each step when ``engine_class`` trains ``model`` on ``windows``."""
    optimizer = OPTIMIZERS[config.optimizer](model.parameters(), lr=config.lr)
    engine = engine_class(model, optimizer, config, **options)
    state, losses = None, []
    for step, (inputs, targets) in enumerate(windows):
        result, state = engine.train_step(inputs, targets, state, config.lr, 1.0, step)
        assert result.stepped
        losses.append(result.loss)
    engine.sync_to_model()
    return np.array(losses), model, optimizer


def windows(count=20, batch_size=4, seq_len=6, vocab_size=40):
    ids = np.random.default_rng(1).integers(0, vocab_size, size=batch_size * seq_len * count + 1)
    return list(TBPTTBatches(ids, batch_size, seq_len))[:count]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("optimizer,lr", [("sgd", 5.0), ("adam", 3e-3)])
def test_float64_losses_and_weights_equal_the_numpy_engine(device, cell, optimizer, lr):
    config = TrainConfig(optimizer=optimizer, lr=lr, clip=0.25)
    numpy_losses, numpy_model, numpy_optimizer = losses_of(
        lambda m, o, c: NumpyEngine(m, o, c.clip), language_model(cell, np.float64), config, windows()
    )
    torch_losses, torch_model, torch_optimizer = losses_of(
        TorchEngine, language_model(cell, np.float64), config, windows(), device=device
    )
    np.testing.assert_allclose(torch_losses, numpy_losses, rtol=1e-9)
    for name, weight in numpy_model.state_dict().items():
        np.testing.assert_allclose(torch_model.state_dict()[name], weight, rtol=1e-7, atol=1e-10, err_msg=name)
    assert torch_optimizer.step_count == numpy_optimizer.step_count == 20
    for key, buffers in numpy_optimizer.state.items():  # Adam's moments come back into the gatedrnn optimizer
        for ours, theirs in zip(buffers, torch_optimizer.state[key], strict=True):
            assert (ours is None) == (theirs is None)
            if ours is not None:
                np.testing.assert_allclose(theirs, ours, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("device", DEVICES)
def test_float32_losses_equal_the_numpy_engine_to_1e_4(device):
    config = TrainConfig(optimizer="sgd", lr=5.0, clip=0.25)
    numpy_losses, _, _ = losses_of(
        lambda m, o, c: NumpyEngine(m, o, c.clip), language_model("lstm", np.float32), config, windows()
    )
    torch_losses, _, _ = losses_of(TorchEngine, language_model("lstm", np.float32), config, windows(), device=device)
    np.testing.assert_allclose(torch_losses, numpy_losses, rtol=1e-4)


def test_evaluation_equals_the_numpy_engine():
    config = TrainConfig()
    ids = np.random.default_rng(2).integers(0, 40, size=500)
    model = language_model("lstm", np.float64)
    optimizer = OPTIMIZERS["sgd"](model.parameters(), lr=1.0)
    ours = NumpyEngine(model, optimizer, config.clip).evaluate_nll(ids, 5, 7)
    theirs = TorchEngine(model, optimizer, config).evaluate_nll(ids, 5, 7)
    assert theirs == pytest.approx(ours, rel=1e-12)


@pytest.mark.parametrize("settings", [dict(num_threads=1), dict(deterministic=True)])
def test_the_python_apis_thread_pin_reaches_torch_as_the_clis_does(settings):
    """gatedrnn.threads.settings(...) fixes torch's thread count for the engine's steps, as --threads does."""
    from gatedrnn import threads

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with threads.settings(**settings):
            losses_of(TorchEngine, language_model("lstm", np.float32), TrainConfig(lr=1.0), windows(count=2))
            assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_use_deterministic_turns_on_torchs_deterministic_algorithms_for_the_steps_only():
    """gatedrnn.use_deterministic(True), from Python as from --deterministic, runs every step
    and evaluation with torch.use_deterministic_algorithms(True), and leaves torch's setting as it was."""
    from gatedrnn import threads

    seen = []
    model = language_model("lstm", np.float64)
    engine = TorchEngine(model, OPTIMIZERS["sgd"](model.parameters(), lr=1.0), TrainConfig(lr=1.0))
    forward = engine.module.forward

    def forward_noting_the_setting(*args, **kwargs):
        seen.append(torch.are_deterministic_algorithms_enabled())
        return forward(*args, **kwargs)

    engine.module.forward = forward_noting_the_setting
    (inputs, targets), *_ = windows(count=1)
    assert not torch.are_deterministic_algorithms_enabled()
    engine.train_step(inputs, targets, None, 1.0, 1.0, 0)
    with threads.settings(deterministic=True):
        engine.train_step(inputs, targets, None, 1.0, 1.0, 1)
        engine.evaluate_nll(np.arange(30) % 40, 2, 5)
        assert not torch.are_deterministic_algorithms_enabled()  # between steps: torch's own setting
    assert seen[0] is False and len(seen) > 2 and all(seen[1:])  # one plain step, then the deterministic ones


@pytest.mark.parametrize("workspace", [None, ":4096:2", ""])
def test_deterministic_on_a_gpu_without_cublas_workspace_set_is_one_line(monkeypatch, workspace):
    """torch itself would fail at the first product, with a traceback, after the data loaded."""
    from gatedrnn.errors import GatedRNNError
    from gatedrnn.interop.torch_engine import _check_deterministic_on

    if workspace is None:
        monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    else:
        monkeypatch.setenv("CUBLAS_WORKSPACE_CONFIG", workspace)
    with pytest.raises(GatedRNNError, match=r"CUBLAS_WORKSPACE_CONFIG=:4096:8 \(or :16:8\)"):
        _check_deterministic_on(torch.device("cuda"))
    _check_deterministic_on(torch.device("cpu"))  # the CPU needs nothing
    monkeypatch.setenv("CUBLAS_WORKSPACE_CONFIG", ":16:8")
    _check_deterministic_on(torch.device("cuda"))


def test_dropout_masks_depend_on_seed_and_step_only():
    """A resumed run draws the masks the uninterrupted one drew: they come from (seed, step, process)."""
    config = TrainConfig(lr=1.0)
    first, _, _ = losses_of(TorchEngine, language_model("lstm", np.float64, dropout=0.3), config, windows(count=6))
    again, _, _ = losses_of(TorchEngine, language_model("lstm", np.float64, dropout=0.3), config, windows(count=6))
    np.testing.assert_array_equal(first, again)


@pytest.mark.parametrize(
    "setting",
    [
        ["--locked-dropout"],
        ["--recurrent-dropout", "0.1"],
        ["--weight-drop", "0.2"],
        ["--embedding-dropout", "0.1"],
        ["--activation-reg", "2"],
        ["--temporal-activation-reg", "1"],
    ],
)
def test_settings_torch_has_no_layer_for_are_refused_in_one_line(tmp_path, capsys, setting):
    text = write_text(tmp_path)
    assert main(tiny_train_args(text, tmp_path / "run", "--engine", "torch", "--dropout", "0.2", *setting)) == 2
    error = capsys.readouterr().err.strip()
    assert "--engine torch has no" in error and "NumPy engine" in error and "\n" not in error
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("optimizer, name", [("adamw", "AdamW"), ("adagrad", "Adagrad"), ("rmsprop", "RMSprop")])
@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["run", "dry-run"])
def test_an_optimizer_torch_cannot_run_is_refused_by_the_dry_run_too(tmp_path, capsys, optimizer, name, dry_run):
    # the dry run said OK and only the real run refused, when the engine was built
    text = write_text(tmp_path)
    args = tiny_train_args(text, tmp_path / "run", "--engine", "torch", "--optimizer", optimizer, *dry_run)
    assert main(args) == 2
    line = f"gatedrnn: error: --engine torch runs SGD and Adam, not {name}; use --engine numpy for it\n"
    assert capsys.readouterr().err == line
    assert not (tmp_path / "run").exists()


def test_device_needs_the_torch_engine_and_a_gpu_for_cuda(tmp_path, capsys):
    text = write_text(tmp_path)
    assert main(tiny_train_args(text, tmp_path / "a", "--device", "cpu")) == 2
    assert "--device needs --engine torch" in capsys.readouterr().err
    if not torch.cuda.is_available():
        assert main(tiny_train_args(text, tmp_path / "b", "--engine", "torch", "--device", "cuda")) == 2
        assert "sees no CUDA GPU" in capsys.readouterr().err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_a_batch_that_does_not_split_over_the_processes_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "3")
    text = write_text(tmp_path)
    assert main(tiny_train_args(text, tmp_path / "run", "--engine", "torch")) == 2  # batch 4 over 3
    assert "does not split evenly over 3 processes" in capsys.readouterr().err
    monkeypatch.setenv("WORLD_SIZE", "2")
    assert main(tiny_train_args(text, tmp_path / "run")) == 2
    assert "add --engine torch" in capsys.readouterr().err


def train_losses(out):
    return [
        r["loss"] for r in map(json.loads, (out / "metrics.jsonl").read_text().splitlines()) if r["kind"] == "train"
    ]


def test_a_run_resumes_across_engines_both_ways(tmp_path):
    text = write_text(tmp_path)
    options = ["--log-interval", "1", "--no-progress", "--deterministic"]
    assert main(tiny_train_args(text, tmp_path / "whole", *options, epochs=2)) == 0
    whole = train_losses(tmp_path / "whole")
    for first, then, name in (("numpy", "torch", "np-then-torch"), ("torch", "numpy", "torch-then-np")):
        out = tmp_path / name
        assert main(tiny_train_args(text, out, *options, "--engine", first, "--max-steps", "7", epochs=2)) == 0
        assert main(tiny_train_args(text, out, *options, "--engine", then, "--resume", epochs=2)) == 0
        np.testing.assert_allclose(train_losses(out), whole, rtol=1e-4)
        results = json.loads((out / "results.json").read_text())
        assert results["test_ppl"] == pytest.approx(
            json.loads((tmp_path / "whole" / "results.json").read_text())["test_ppl"], rel=1e-3
        )


# `python -m gatedrnn`, which also notes, after every other exit handler has run (atexit runs
# them last registered first), the threads each process still has: any left then run on into
# the interpreter's shutdown.
GATEDRNN_NOTING_THREADS_AT_EXIT = """
import atexit, os, sys
from pathlib import Path

def note_threads():
    if not os.path.isdir("/proc/self/task"):   # Linux's /proc lists them
        return
    names = sorted(Path(f"/proc/self/task/{task}/comm").read_text().strip() for task in os.listdir("/proc/self/task"))
    Path(sys.argv[1], "threads_at_exit." + os.environ["RANK"]).write_text(" ".join(names))

atexit.register(note_threads)
from gatedrnn.cli import main
sys.exit(main(sys.argv[2:]))
"""


def torchrun(tmp_path, processes, out, *extra):
    """`gatedrnn train --engine torch` under torchrun with ``processes`` CPU processes (gloo)."""
    text = tmp_path / "text.txt"
    if not text.exists():
        write_text(tmp_path)
    program = tmp_path / "gatedrnn_noting_threads.py"
    program.write_text(GATEDRNN_NOTING_THREADS_AT_EXIT)
    notes = tmp_path / f"threads_{out.name}"
    notes.mkdir(exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        f"--nproc_per_node={processes}",
        str(program),
        str(notes),
        *tiny_train_args(
            text, out, "--engine", "torch", "--log-interval", "1", "--no-progress", "--threads", "1", *extra, epochs=2
        ),
    ]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    # All of stderr: torchrun's summary alone hides a worker's own last words (a C++ abort's reason).
    assert done.returncode == 0, done.stderr[-12000:]
    for rank in range(processes if os.path.isdir("/proc/self/task") else 0):
        # A process group left alive keeps gloo's threads running into the interpreter's shutdown,
        # where they once ended a finished process with SIGABRT (TorchEngine leaves it at exit).
        threads = (notes / f"threads_at_exit.{rank}").read_text().split()
        assert not [name for name in threads if "gloo" in name], f"process {rank} exits with threads {threads}"
    return done


@pytest.mark.slow
def test_two_processes_give_the_one_process_losses_and_resume(tmp_path):
    torchrun(tmp_path, 1, tmp_path / "one")
    two = torchrun(tmp_path, 2, tmp_path / "two")
    np.testing.assert_allclose(train_losses(tmp_path / "two"), train_losses(tmp_path / "one"), rtol=1e-4)
    assert two.stdout.count("best model:") == 1  # only process 0 prints
    # stopped after 5 steps and resumed: process 0 wrote the state of all streams, each took its own back
    torchrun(tmp_path, 2, tmp_path / "parts", "--max-steps", "5")
    torchrun(tmp_path, 2, tmp_path / "parts", "--resume")
    np.testing.assert_allclose(train_losses(tmp_path / "parts"), train_losses(tmp_path / "one"), rtol=1e-4)
    one_result = json.loads((tmp_path / "one" / "results.json").read_text())
    for name in ("two", "parts"):
        result = json.loads((tmp_path / name / "results.json").read_text())
        assert result["test_ppl"] == pytest.approx(one_result["test_ppl"], rel=1e-4)
