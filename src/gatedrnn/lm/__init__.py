"""Language models: the model, its configuration, presets, the trainer, its run files, generation.

    from gatedrnn.lm import LanguageModel, ModelConfig, Trainer, TrainConfig, load_corpus
    corpus = load_corpus(text="my.txt", level="char")
    model = LanguageModel(ModelConfig(vocab_size=len(corpus.vocab), embedding_size=64, hidden_size=256,
                                      num_layers=1, dropout=0.0, tie_weights=False))
    Trainer(model, corpus, TrainConfig(epochs=2, optimizer="adam", lr=2e-3, clip=1.0), "runs/mine").fit()
"""
from .book import book_ptb_vocabulary, from_book, load_book_params, save_book_params, to_book
from .config import ModelConfig, TrainConfig
from .corpora import load_corpus
from .generate import generate, next_token_distribution
from .model import LanguageModel
from .presets import PRESETS, Preset, get_preset
from .run_files import RunFiles, model_from_checkpoint
from .engine import evaluate_nll
from .trainer import Trainer

__all__ = ["ModelConfig", "TrainConfig", "load_corpus", "generate", "next_token_distribution", "LanguageModel",
           "PRESETS", "Preset", "get_preset", "RunFiles", "model_from_checkpoint", "Trainer", "evaluate_nll",
           "from_book", "to_book", "load_book_params", "save_book_params", "book_ptb_vocabulary"]
