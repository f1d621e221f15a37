"""Named recipes: a model configuration and a training configuration each, as published.

``rnnlm`` and ``better-rnnlm`` are the word-level models of Deep Learning from Scratch 2,
chapter 6 (its train_rnnlm.py and train_better_rnnlm.py); ``better-rnnlm-vd`` is the latter
with the regularisers past the book's that short runs at its size chose. ``small``, ``medium``
and ``large`` are Zaremba, Sutskever & Vinyals (2014), "Recurrent Neural Network Regularization", whose
loss is summed over the T steps of a window and averaged over the batch
(``loss_sum_over_time``), which is what their learning rate of 1 and clipping norms assume.
"""

from dataclasses import dataclass

from ..errors import GatedRNNError
from .config import ModelConfig, TrainConfig


@dataclass(frozen=True)
class Preset:
    """A named recipe: a model, its training, the token level it expects, and one line about it."""

    name: str
    about: str
    model: ModelConfig
    training: TrainConfig
    level: str = "word"


BETTER_RNNLM = Preset(
    name="better-rnnlm",
    model=ModelConfig(
        embedding_size=650, hidden_size=650, num_layers=2, cell="lstm", dropout=0.5, tie_weights=True, init="book"
    ),
    training=TrainConfig(batch_size=20, seq_len=35, epochs=40, lr=20.0, clip=0.25, schedule="plateau", lr_decay=4.0),
    about="Deep Learning from Scratch 2's BetterRnnlm: 2-layer LSTM 650, dropout 0.5, tied weights, "
    "lr 20 ÷ 4 whenever validation perplexity worsens",
)

# The book's BetterRnnlm with the regularisers past the book's (docs/language-models.md, "At the
# book's size"): its dropout locked along time, and REGULARISERS_VD chosen by the short runs of
# benchmarks/ptb_variants.py regularisers. Everything else is the book's recipe, unchanged.
REGULARISERS_VD = dict(locked_dropout=True, weight_drop=0.2)
BETTER_RNNLM_VD = Preset(
    name="better-rnnlm-vd",
    model=BETTER_RNNLM.model.replace(**REGULARISERS_VD),
    training=BETTER_RNNLM.training,
    about="BetterRnnlm with its dropout locked along time (one mask per sequence) and weight drop 0.2 "
    "on W_hh (one mask per window); the book's sizes and schedule",
)

PRESETS = {
    "rnnlm": Preset(
        name="rnnlm",
        model=ModelConfig(
            embedding_size=100, hidden_size=100, num_layers=1, cell="lstm", dropout=0.0, tie_weights=False, init="book"
        ),
        training=TrainConfig(batch_size=20, seq_len=35, epochs=4, lr=20.0, clip=0.25, schedule="constant"),
        about="Deep Learning from Scratch 2's Rnnlm: 1-layer LSTM 100, no dropout, SGD lr 20, clip 0.25",
    ),
    "better-rnnlm": BETTER_RNNLM,
    "better-rnnlm-vd": BETTER_RNNLM_VD,
    "small": Preset(
        name="small",
        model=ModelConfig(
            embedding_size=200,
            hidden_size=200,
            num_layers=2,
            cell="lstm",
            dropout=0.0,
            tie_weights=False,
            init="uniform",
            init_scale=0.1,
        ),
        training=TrainConfig(
            batch_size=20,
            seq_len=20,
            epochs=13,
            lr=1.0,
            clip=5.0,
            schedule="step",
            lr_decay=2.0,
            decay_start=4,
            loss_sum_over_time=True,
        ),
        about="Zaremba et al. 2014 small: 2-layer LSTM 200, no dropout, lr 1 halved each epoch after 4",
    ),
    "medium": Preset(
        name="medium",
        model=ModelConfig(
            embedding_size=650,
            hidden_size=650,
            num_layers=2,
            cell="lstm",
            dropout=0.5,
            tie_weights=False,
            init="uniform",
            init_scale=0.05,
        ),
        training=TrainConfig(
            batch_size=20,
            seq_len=35,
            epochs=39,
            lr=1.0,
            clip=5.0,
            schedule="step",
            lr_decay=1 / 0.8,
            decay_start=6,
            loss_sum_over_time=True,
        ),
        about="Zaremba et al. 2014 medium: 2-layer LSTM 650, dropout 0.5, lr 1 × 0.8 each epoch after 6",
    ),
    "large": Preset(
        name="large",
        model=ModelConfig(
            embedding_size=1500,
            hidden_size=1500,
            num_layers=2,
            cell="lstm",
            dropout=0.65,
            tie_weights=False,
            init="uniform",
            init_scale=0.04,
        ),
        training=TrainConfig(
            batch_size=20,
            seq_len=35,
            epochs=55,
            lr=1.0,
            clip=10.0,
            schedule="step",
            lr_decay=1.15,
            decay_start=14,
            loss_sum_over_time=True,
        ),
        about="Zaremba et al. 2014 large: 2-layer LSTM 1500, dropout 0.65, lr 1 ÷ 1.15 each epoch after 14",
    ),
    # Character-level models (Karpathy's char-rnn sizes): Adam, longer windows, bits per character.
    "char-small": Preset(
        name="char-small",
        model=ModelConfig(
            embedding_size=64,
            hidden_size=256,
            num_layers=1,
            cell="lstm",
            dropout=0.0,
            tie_weights=False,
            init="pytorch",
        ),
        training=TrainConfig(
            batch_size=32,
            seq_len=64,
            epochs=10,
            optimizer="adam",
            lr=2e-3,
            clip=1.0,
            schedule="plateau",
            lr_decay=2.0,
            eval_batch_size=16,
        ),
        level="char",
        about="character-level 1-layer LSTM 256, Adam 2e-3, clip 1, lr halved when validation worsens",
    ),
    "char-medium": Preset(
        name="char-medium",
        model=ModelConfig(
            embedding_size=128,
            hidden_size=512,
            num_layers=2,
            cell="lstm",
            dropout=0.2,
            tie_weights=False,
            init="pytorch",
        ),
        training=TrainConfig(
            batch_size=32,
            seq_len=128,
            epochs=20,
            optimizer="adam",
            lr=2e-3,
            clip=1.0,
            schedule="plateau",
            lr_decay=2.0,
            eval_batch_size=16,
        ),
        level="char",
        about="character-level 2-layer LSTM 512, dropout 0.2, Adam 2e-3, clip 1, lr halved when validation worsens",
    ),
    # Karpathy's char-rnn defaults (its train.lua: 2-layer LSTM 128, windows of 50, batches of 50,
    # weights uniform in ±0.08, lr 2e-3, gradients clipped at 5), the small end of his Shakespeare
    # models and a size two CPU cores train in minutes. Differences: an embedding of 64 in place of
    # one-hot inputs; Adam in place of RMSprop; the global norm clipped at 5 where char-rnn clamps
    # each element; the char presets' plateau schedule in place of × 0.97 per epoch after epoch 10,
    # which a run of a few epochs never reaches.
    "char-shakespeare": Preset(
        name="char-shakespeare",
        model=ModelConfig(
            embedding_size=64,
            hidden_size=128,
            num_layers=2,
            cell="lstm",
            dropout=0.0,
            tie_weights=False,
            init="uniform",
            init_scale=0.08,
        ),
        training=TrainConfig(
            batch_size=50,
            seq_len=50,
            epochs=10,
            optimizer="adam",
            lr=2e-3,
            clip=5.0,
            schedule="plateau",
            lr_decay=2.0,
            eval_batch_size=50,
        ),
        level="char",
        about="character-level 2-layer LSTM 128 for plain text such as Shakespeare's plays (Karpathy's char-rnn "
        "defaults), Adam 2e-3, clip 5, lr halved when validation worsens",
    ),
}


def get_preset(name):
    """Preset ``name`` (presets are frozen: change one with ``preset.training.replace(...)``)."""
    if name not in PRESETS:
        raise GatedRNNError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return PRESETS[name]
