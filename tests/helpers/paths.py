"""Where the repository is, for tests that read its files (README, docs, src) from any working directory."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src"
