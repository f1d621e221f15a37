"""The type hints of the public library: mypy catches a wrong argument type, and every public
function of the typed modules is annotated in full.

The whole check (`mypy`, configured in pyproject.toml) runs in .ci/run; here mypy reads two
small snippets against the library: one that passes a wrong type in each of a few calls, and
the same calls written correctly (with NumPy scalars where Python ones are usual, which the
library accepts).
"""

import ast
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers.paths import REPO

ROOT = REPO
SRC = ROOT / "src"
PACKAGE = SRC / "gatedrnn"

WRONG = """\
    import numpy as np
    from gatedrnn import LSTM, clip_grad_norm  # the lazy top-level names, as the README imports them
    from gatedrnn.lm import TrainConfig, generate
    from gatedrnn.lm.config import ModelConfig
    from gatedrnn.lm.model import LanguageModel
    from gatedrnn.seq import Seq2Seq, run_task

    lstm = LSTM(input_size="650", hidden_size=650)
    clip_grad_norm(lstm.parameters(), max_norm="0.25")
    config = TrainConfig(epochs=1, lr="1e-3")
    model = LanguageModel(ModelConfig(vocab_size=10, embedding_size=8, hidden_size=8))
    ids = generate(model, [1, 2], length=None)
    ys, state = lstm.forward(np.zeros((2, 3, 650), np.float32), lengths="3")
    seq2seq = Seq2Seq(vocab_size="12", hidden_size=16)
    result = run_task("brackets", epochs="3")
"""
# (line in WRONG, what the message must mention), one error each
EXPECTED = [
    (8, "input_size"),
    (9, "max_norm"),
    (10, "lr"),
    (12, "length"),
    (13, "lengths"),
    (14, "vocab_size"),
    (15, "epochs"),
]

RIGHT = """\
    import numpy as np
    from gatedrnn.clip import clip_grad_norm
    from gatedrnn.layers import LSTM
    from gatedrnn.lm import TrainConfig, generate
    from gatedrnn.lm.config import ModelConfig
    from gatedrnn.lm.model import LanguageModel
    from gatedrnn.seq import Seq2Seq, run_task

    lstm = LSTM(input_size=np.int64(650), hidden_size=650)
    clip_grad_norm(lstm.parameters(), max_norm=np.float32(0.25))
    config = TrainConfig(epochs=1, lr=1e-3)
    model = LanguageModel(ModelConfig(vocab_size=10, embedding_size=8, hidden_size=8))
    ids: list[int] = generate(model, np.array([1, 2]), length=5)
    ys, state = lstm.forward(np.zeros((2, 3, 650), np.float32), lengths=np.array([3, 2]))
    seq2seq = Seq2Seq(vocab_size=np.int64(12), hidden_size=16, attention="dot")
    written = seq2seq.greedy(np.zeros((2, 3), np.int64), np.array([3, 2]), bos_id=1, steps=np.int64(4))
    result: dict[str, object] = run_task("brackets", epochs=np.int64(3), lr=np.float32(0.01))
"""


def run_mypy(tmp_path, files):
    """mypy's output on ``files`` against the library in src/ (errors in the library itself not shown)."""
    pytest.importorskip("mypy", reason="mypy is not installed (pip install -e .[lint]); the type check needs it")
    command = [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        os.devnull,  # the snippets alone: the project's `files` list is not wanted here
        "--python-version",
        "3.10",
        "--follow-imports",
        "silent",
        "--check-untyped-defs",
        "--no-error-summary",
        "--show-error-codes",
        "--cache-dir",
        str(tmp_path / "mypy_cache"),
        *map(str, files),
    ]
    env = dict(os.environ, MYPYPATH=str(SRC))
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert done.returncode in (0, 1), done.stderr  # 2: mypy itself failed
    return done.stdout


def test_mypy_reports_each_wrong_argument_type_and_passes_the_corrected_calls(tmp_path):
    wrong, right = tmp_path / "wrong.py", tmp_path / "right.py"
    wrong.write_text(textwrap.dedent(WRONG), encoding="utf-8")
    right.write_text(textwrap.dedent(RIGHT), encoding="utf-8")
    output = run_mypy(tmp_path, [wrong, right])
    errors = [line for line in output.splitlines() if ": error:" in line]
    assert not [line for line in errors if line.startswith("right.py")], output
    found = {}
    for line in errors:
        match = re.match(r"wrong\.py:(\d+): error: (.*)", line)
        assert match, output
        found.setdefault(int(match.group(1)), []).append(match.group(2))
    assert sorted(found) == [line for line, _ in EXPECTED], output
    for line, name in EXPECTED:
        assert any(f'"{name}"' in message and "[arg-type]" in message for message in found[line]), output


def typed_module_files():
    """The files of the modules pyproject.toml holds to complete hints (disallow_incomplete_defs)."""
    tomllib = pytest.importorskip("tomllib", reason="tomllib is Python 3.11+")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    names = [
        name
        for override in config["overrides"]
        if override.get("disallow_incomplete_defs")
        for name in override["module"]
    ]
    files = []
    for name in names:
        path = SRC / Path(*name.removesuffix(".*").split("."))
        if name.endswith(".*"):
            files += sorted(path.glob("*.py"))
        else:
            files.append(path / "__init__.py" if path.is_dir() else path.with_suffix(".py"))
    return files


def public_functions(tree):
    """(qualified name, node) of the module's public functions and the public methods of its
    public classes (dunder methods other than __init__ and __call__ are left to mypy)."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            yield node.name, node
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    public = not item.name.startswith("_") or item.name in ("__init__", "__call__")
                    if public:
                        yield f"{node.name}.{item.name}", item


def missing_annotations(function):
    arguments = function.args
    every = arguments.posonlyargs + arguments.args + arguments.kwonlyargs
    every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
    decorators = {getattr(d, "id", getattr(d, "attr", None)) for d in function.decorator_list}
    skip_first = bool(every) and every[0].arg in ("self", "cls") and "staticmethod" not in decorators
    missing = [a.arg for a in every[1 if skip_first else 0 :] if a.annotation is None]
    if function.returns is None:
        missing.append("return")
    return missing


def test_every_public_function_of_the_typed_modules_is_annotated_in_full():
    files = typed_module_files()
    assert len(files) > 20 and all(path.is_file() for path in files), files
    gaps = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name, function in public_functions(tree):
            missing = missing_annotations(function)
            if missing:
                gaps.append(f"{path.relative_to(SRC)}: {name} lacks {', '.join(missing)}")
    assert not gaps, "\n".join(gaps)


def test_the_package_ships_its_py_typed_marker():
    assert (PACKAGE / "py.typed").is_file()
    tomllib = pytest.importorskip("tomllib", reason="tomllib is Python 3.11+")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "py.typed" in config["tool"]["setuptools"]["package-data"]["gatedrnn"]
