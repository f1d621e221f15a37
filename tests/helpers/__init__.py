"""What many tests share: tiny runs, the PTB lookup, crafted checkpoints and the bad-input rows.

pyproject.toml puts tests/ on pytest's path, so a test imports these as
``from helpers.tiny_runs import tiny_train_args`` from any folder.
"""
