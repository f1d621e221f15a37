"""The README's Python examples run as written (on small stand-ins for the files they name)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_the_library_example_runs():
    block = next(code for code in python_blocks() if "from gatedrnn import LSTM" in code)
    namespace = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["loss"] > 0 and namespace["state"][0].shape == (2, 20, 650)


def test_the_trainer_example_runs(tmp_path, monkeypatch):
    block = next(code for code in python_blocks() if "Trainer(" in code)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my_text.txt").write_text("the quick brown fox jumps over the lazy dog\n" * 300, encoding="utf-8")
    # The example's sizes, shrunk so the test takes a second: the code path is the same.
    block = block.replace("epochs=2", "epochs=1").replace("hidden_size=256", "hidden_size=16")
    block = block.replace("embedding_size=64", "embedding_size=8")
    namespace = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["summary"]["valid_ppl"] > 0
    assert (tmp_path / "runs" / "mine" / "best.npz").exists()
