"""Who computes a training step: the engine a Trainer drives (NumPy by default).

The Trainer owns the run — data order, learning-rate schedule, stop rules, logs and
checkpoints — and keeps the canonical copy of the weights and optimizer buffers in the
gatedrnn LanguageModel and optimizer it was given, because that is what a checkpoint holds.
An engine does the arithmetic on windows it is handed::

    result, state = engine.train_step(inputs (N, T), targets (N, T), state, lr, loss_scale, step)
    nll = engine.evaluate_nll(ids, batch_size, seq_len)       # mean nats per token, dropout off
    engine.sync_to_model()        # before a save: its weights/buffers → the model and optimizer
    engine.sync_from_model()      # after a load: the model and optimizer → its weights/buffers
    carried = engine.state_for_checkpoint(state)   # the carried state as NumPy arrays, all streams
    state = engine.state_from_checkpoint(carried)  # and back
    engine.take_weights_from_writer()              # several processes: all take the writer's weights
    engine.threads_settled()      # its thread count is chosen: a step now costs what later ones will

``NumpyEngine`` below is gatedrnn itself, the readable reference; ``--engine torch``
(gatedrnn.interop.torch_engine) runs the same steps on PyTorch, on a GPU or across processes;
``--engine auto`` (gatedrnn.lm.engine_choice) times the first steps on each and keeps the
faster. An engine run by several processes also says whether this process writes the run's
files (``writes_files``) and makes the processes agree on stopping (``any_process``). An
engine with an ``echo`` attribute has something to tell the user (auto's choice): the
Trainer sets it to its own echo.
"""

import numpy as np

from ..data import TBPTTBatches
from ..errors import GatedRNNError, short_repr
from ..layers import SoftmaxCrossEntropy
from ..thread_tuner import ThreadTuner
from ..training import backward_and_step


def check_engine(engine):
    """GatedRNNError unless ``engine`` is None (NumPy) or a function that builds an engine.

    A name such as "auto" is not accepted here: gatedrnn.lm cannot import the torch side
    (docs/architecture.md), so the caller passes its builder, as ``gatedrnn train`` does.
    """
    if engine is None or callable(engine):
        return
    raise GatedRNNError(
        f"engine must be None (NumPy) or a function engine(model, optimizer, config), got {short_repr(engine)}; "
        "pass gatedrnn.interop.torch_engine.TorchEngine for torch or gatedrnn.interop.torch_engine.auto_engine "
        "for auto"
    )


def threads_settled(tuner):
    """Whether ``tuner`` (a ThreadTuner) has chosen its count, or has nothing to choose (pinned, one candidate)."""
    return tuner.choice is not None or not tuner.active


def evaluate_nll(model, ids, batch_size, seq_len, tuner=None):
    """Mean negative log-likelihood per token (nats) of ``ids`` under ``model``.

    The split is read as ``batch_size`` streams with the state carried across windows, as in
    training, and dropout off. Perplexity is exp of the result (gatedrnn.lm.scores).
    """
    from .model import LanguageModel

    if not isinstance(model, LanguageModel):
        raise GatedRNNError(
            f"evaluate_nll needs a LanguageModel, got {short_repr(model)}; load one with "
            "gatedrnn.lm.model_from_checkpoint(path)"
        )
    was_training = model.training
    model.eval()
    criterion = SoftmaxCrossEntropy(reduction="sum")
    total, count, state = 0.0, 0, None
    tuner = tuner or ThreadTuner()  # evaluation chooses its own thread count (gatedrnn.thread_tuner)
    for inputs, targets in TBPTTBatches(ids, batch_size, seq_len):
        with tuner.step(units=targets.size):
            logits, state = model(inputs, state)
            total += criterion(logits, targets)
        count += targets.size
    model.train(was_training)
    return float(total / count)


class NumpyEngine:
    """gatedrnn's own step: forward, cross-entropy, hand-written backward, clip, update.

    ``model``: the LanguageModel; ``optimizer``: its gatedrnn optimizer; ``clip``: the global
    norm to clip to (0 or None: none). Training and evaluation each time their steps to choose
    a BLAS thread count (gatedrnn.thread_tuner).
    """

    name = "numpy"
    writes_files = True

    def __init__(self, model, optimizer, clip):
        self.model, self.optimizer, self.clip = model, optimizer, clip
        self.criterion = model.criterion()  # softmax cross-entropy, or an adaptive softmax's own loss
        self.train_tuner, self.eval_tuner = ThreadTuner(), ThreadTuner()

    def train_step(self, inputs, targets, state, lr, loss_scale, step):
        """One update on window (inputs, targets); returns (StepResult, the state to carry on)."""
        self.optimizer.lr = lr
        with self.train_tuner.step(units=targets.size):
            # A diverging forward overflows; backward_and_step detects and reports it in one
            # line, so NumPy's warnings would only say the same thing four times first.
            with np.errstate(over="ignore", invalid="ignore"):
                logits, state = self.model(inputs, state)
                loss = self.criterion(logits, targets)
            result = backward_and_step(
                self.model, self.criterion, self.optimizer, loss, max_norm=self.clip, loss_scale=loss_scale
            )
        return result, state

    def evaluate_nll(self, ids, batch_size, seq_len):
        return evaluate_nll(self.model, ids, batch_size, seq_len, self.eval_tuner)

    def sync_to_model(self):
        """Nothing to do: the model and optimizer are this engine's own."""

    def sync_from_model(self):
        """Nothing to do: the model and optimizer are this engine's own."""

    def state_for_checkpoint(self, state):
        return state

    def state_from_checkpoint(self, carried):
        return carried

    def any_process(self, flag):
        """One process: its own answer."""
        return bool(flag)

    def take_weights_from_writer(self):
        """One process: it is the writer."""

    def threads_settled(self):
        """Whether training's thread count is chosen (gatedrnn.thread_tuner): from here a step costs
        what the rest of the run's will, not what the tuner's trial of 1 and of every core cost."""
        return threads_settled(self.train_tuner)

    def describe_threads(self):
        return dict(train=self.train_tuner.describe(), evaluate=self.eval_tuner.describe())
