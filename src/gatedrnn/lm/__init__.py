"""Language models: the model, its configuration, presets, a training run, its files, generation.

    from gatedrnn.lm import DataSettings, ModelConfig, TrainConfig, TrainingRun
    run = TrainingRun("runs/mine", DataSettings(text="my.txt", level="char"),
                      ModelConfig(embedding_size=64, hidden_size=256, num_layers=1, dropout=0.0, tie_weights=False),
                      TrainConfig(epochs=2, optimizer="adam", lr=2e-3, clip=1.0))
    summary = run.train()            # what `gatedrnn train` does: the same checks, files and results

or, a step lower, ``Trainer(LanguageModel(config), load_corpus(...), TrainConfig(...), "runs/mine").fit()``.
"""

from .book import book_ptb_vocabulary, from_book, load_book_params, save_book_params, to_book
from .config import ModelConfig, TrainConfig
from .corpora import load_corpus
from .data_settings import DataSettings
from .engine import evaluate_nll
from .generate import generate, next_token_distribution
from .model import LanguageModel
from .presets import PRESETS, Preset, get_preset
from .run import TrainingRun
from .run_checkpoint import model_from_checkpoint
from .run_directory import RunFiles
from .trainer import Trainer

__all__ = [
    "ModelConfig",
    "TrainConfig",
    "DataSettings",
    "TrainingRun",
    "load_corpus",
    "generate",
    "next_token_distribution",
    "LanguageModel",
    "PRESETS",
    "Preset",
    "get_preset",
    "RunFiles",
    "model_from_checkpoint",
    "Trainer",
    "evaluate_nll",
    "from_book",
    "to_book",
    "load_book_params",
    "save_book_params",
    "book_ptb_vocabulary",
]
