"""Rows for tests/robustness/test_bad_inputs.py: the library's functions and classes.

Each "call" row builds what it needs (tiny layers and models, a few milliseconds) and makes
one mistake a user could make; it must raise GatedRNNError with a one-line message holding
the fragment. Rows with status 0 are edge cases that must simply work (empty batches, a
learning rate lowered to exactly 0).
"""

import numpy as np

import gatedrnn
from gatedrnn import GRU, LSTM, RNN, Dropout, Embedding, Linear, LockedDropout, Parameter, SoftmaxCrossEntropy, init
from gatedrnn.clip import clip_grad_norm
from gatedrnn.lm import DataSettings, LanguageModel, ModelConfig, generate
from gatedrnn.optim import SGD, Adam
from gatedrnn.seq.models import SequenceClassifier, SequenceTagger
from helpers.bad_inputs.rows import Row

TWICE = "backward() was called twice after one forward(); run forward again"
XS = np.zeros((2, 3, 4), np.float32)  # (N, T, D) for the recurrent layers below


# -- what the rows act on --------------------------------------------------------------------
def tiny_lm():
    return LanguageModel(ModelConfig(vocab_size=20, embedding_size=4, hidden_size=4, num_layers=1, dropout=0.0))


def generate_with(**overrides):
    """generate() on a tiny model with one argument made wrong."""
    arguments = dict(prompt_ids=[1, 2], length=3, seed=0)
    arguments.update(overrides)
    return lambda c: generate(tiny_lm(), **arguments)


def adaptive_train(c, *extra, cutoffs="10"):
    """`gatedrnn train` of rnnlm (H = 100) with an adaptive softmax (one cutoff unless told), into a new folder."""
    out = c.tmp / "adaptive"
    return [
        "train",
        "--text",
        str(c.corpus),
        "--preset",
        "rnnlm",
        "--adaptive-softmax",
        cutoffs,
        *extra,
        "--out",
        str(out),
    ]


def backward_twice(make, forward_args, gradient):
    """``make()`` a layer; forward once, backward once (fine), backward again (must be refused)."""

    def action(c):
        layer = make()
        out = layer(*forward_args)
        grad = gradient(out)
        layer.backward(grad)
        layer.backward(grad)

    return action


def recurrent_twice(cls, **options):
    return backward_twice(lambda: cls(4, 5, num_layers=2, **options), (XS,), lambda out: np.ones_like(out[0]))


def loss_twice(c):
    loss = SoftmaxCrossEntropy()
    loss(np.zeros((2, 3, 5), np.float32), np.zeros((2, 3), np.int64))
    loss.backward()
    loss.backward()


def model_twice(make, ids, lengths=None):
    def action(c):
        model = make()
        scores = model(ids) if lengths is None else model(ids, lengths)
        scores = scores[0] if isinstance(scores, tuple) else scores
        model.backward(np.ones_like(scores))
        model.backward(np.ones_like(scores))

    return action


def classifier():
    return SequenceClassifier(vocab_size=10, num_classes=3, embedding_size=4, hidden_size=4)


def tagger():
    return SequenceTagger(vocab_size=10, num_tags=3, embedding_size=4, hidden_size=4)


def wrong_gradient(make, forward_args, bad_gradient):
    def action(c):
        layer = make()
        layer(*forward_args)
        layer.backward(bad_gradient)

    return action


def optimizer_with(name, value, make=lambda p: SGD(p, lr=0.1)):
    """Set one hyperparameter after construction, then step: refused before any weight moves."""

    def action(c):
        param = Parameter(np.ones(2))
        param.grad[...] = 1.0
        optimizer = make([param])
        setattr(optimizer, name, value)
        optimizer.step()

    return action


def empty_batch(cls, **options):
    """A batch of 0 sequences gives empty outputs and states, and an empty input gradient (as torch)."""

    def action(c):
        layer = cls(4, 5, num_layers=2, **options)
        ys, state = layer(np.zeros((0, 3, 4), np.float32))
        assert ys.shape == (0, 3, layer.output_size)
        for part in state if isinstance(state, tuple) else (state,):
            assert part.shape == (2 * layer.num_directions, 0, 5)
        dxs, _ = layer.backward(np.zeros_like(ys))
        assert dxs.shape == (0, 3, 4)

    return action


def lr_lowered_to_zero(c):
    param = Parameter(np.ones(2))
    param.grad[...] = 1.0
    optimizer = Adam([param], lr=0.1)
    optimizer.lr = 0
    optimizer.step()
    assert np.all(param.data == 1.0)


def backward_after_fresh_forward(c):
    """Two forward/backward pairs on one layer: each backward has its own forward, so both run."""
    layer = Linear(4, 3)
    for _ in range(2):
        layer.backward(np.ones_like(layer(np.ones((2, 4), np.float32))))


def refused_gradient_may_be_retried(c):
    """A backward refused for a misshapen gradient consumed nothing: the right one still runs."""
    layer = Embedding(10, 3)
    out = layer(np.array([[1, 2]]))
    try:
        layer.backward(np.ones((5,), np.float32))
    except gatedrnn.GatedRNNError:
        pass
    layer.backward(np.ones_like(out))


ROWS = [
    Row(
        "api-loss-ignore-index-not-an-integer",
        "call",
        "ignore_index must be an integer (the target id to skip), got 1.5; pass an int",
        action=lambda c: SoftmaxCrossEntropy(ignore_index=1.5),
    ),
    Row(
        "api-language-model-ids-without-batch-axis",
        "call",
        "a language model reads ids shaped (N, T), got shape (2,); add the batch axis",
        action=lambda c: tiny_lm()(np.array([0, 1])),
    ),
    # -- a second backward after one forward ------------------------------------------------
    Row("api-lstm-backward-twice", "call", TWICE, action=recurrent_twice(LSTM, dropout=0.3)),
    Row("api-gru-backward-twice", "call", TWICE, action=recurrent_twice(GRU, bidirectional=True)),
    Row("api-rnn-backward-twice", "call", TWICE, action=recurrent_twice(RNN, batch_first=False)),
    Row(
        "api-embedding-backward-twice",
        "call",
        TWICE,
        action=backward_twice(lambda: Embedding(10, 3), (np.array([[1, 2]]),), np.ones_like),
    ),
    Row(
        "api-linear-backward-twice",
        "call",
        TWICE,
        action=backward_twice(lambda: Linear(4, 3), (np.ones((2, 4), np.float32),), np.ones_like),
    ),
    Row(
        "api-dropout-backward-twice",
        "call",
        TWICE,
        action=backward_twice(lambda: Dropout(0.5), (np.ones((2, 4), np.float32),), np.ones_like),
    ),
    Row(
        "api-eval-dropout-backward-twice",
        "call",
        TWICE,
        action=backward_twice(lambda: Dropout(0.5).eval(), (np.ones((2, 4), np.float32),), np.ones_like),
    ),
    Row(
        "api-locked-dropout-backward-twice",
        "call",
        TWICE,
        action=backward_twice(lambda: LockedDropout(0.5), (np.ones((2, 3, 4), np.float32),), np.ones_like),
    ),
    Row("api-loss-backward-twice", "call", TWICE, action=loss_twice),
    Row("api-language-model-backward-twice", "call", TWICE, action=model_twice(tiny_lm, np.array([[1, 2, 3]]))),
    Row(
        "api-classifier-backward-twice",
        "call",
        TWICE,
        action=model_twice(classifier, np.array([[1, 2, 3], [4, 5, 0]]), np.array([3, 2])),
    ),
    Row("api-tagger-backward-twice", "call", TWICE, action=model_twice(tagger, np.array([[1, 2, 3]]))),
    Row("api-backward-after-fresh-forward", "call", action=backward_after_fresh_forward, status=0),
    Row("api-refused-gradient-may-be-retried", "call", action=refused_gradient_may_be_retried, status=0),
    Row(
        "api-backward-before-forward",
        "call",
        "before forward(); run forward first",
        action=lambda c: Linear(4, 3).backward(np.ones((2, 3), np.float32)),
    ),
    # -- gradients of the wrong shape or kind ----------------------------------------------
    Row(
        "api-embedding-backward-wrong-shape",
        "call",
        "Embedding output gradient has shape (5,), expected (1, 2, 3)",
        action=wrong_gradient(lambda: Embedding(10, 3), (np.array([[1, 2]]),), np.ones((5,), np.float32)),
    ),
    Row(
        "api-embedding-backward-int-gradient",
        "call",
        "must be a floating NumPy array",
        action=wrong_gradient(lambda: Embedding(10, 3), (np.array([[1, 2]]),), np.ones((1, 2, 3), np.int64)),
    ),
    Row(
        "api-linear-backward-wrong-shape",
        "call",
        "Linear output gradient has shape (2, 4), expected (2, 3)",
        action=wrong_gradient(lambda: Linear(4, 3), (np.ones((2, 4), np.float32),), np.ones((2, 4), np.float32)),
    ),
    Row(
        "api-dropout-backward-wrong-shape",
        "call",
        "Dropout output gradient has shape",
        action=wrong_gradient(lambda: Dropout(0.5), (np.ones((2, 4), np.float32),), np.ones((4, 2), np.float32)),
    ),
    Row(
        "api-loss-backward-nan",
        "call",
        "needs dloss as a finite number",
        action=lambda c: (
            lambda loss: (loss(np.zeros((1, 2, 5)), np.zeros((1, 2), np.int64)), loss.backward(float("nan")))
        )(SoftmaxCrossEntropy()),
    ),
    # -- layer construction ----------------------------------------------------------------
    Row(
        "api-embedding-negative-dim",
        "call",
        "Embedding: embedding_dim must be a whole number ≥ 1, got -3",
        action=lambda c: Embedding(10, -3),
    ),
    Row(
        "api-embedding-negative-count",
        "call",
        "Embedding: num_embeddings must be a whole number ≥ 1, got -10",
        action=lambda c: Embedding(-10, 3),
    ),
    Row(
        "api-embedding-fractional-count",
        "call",
        "num_embeddings must be a whole number ≥ 1, got 10.5",
        action=lambda c: Embedding(10.5, 3),
    ),
    Row(
        "api-embedding-bool-count",
        "call",
        "num_embeddings must be a whole number ≥ 1, got True",
        action=lambda c: Embedding(True, 3),
    ),
    Row(
        "api-embedding-int-dtype",
        "call",
        "Embedding: dtype must be float32 or float64",
        action=lambda c: Embedding(10, 3, dtype=np.int32),
    ),
    Row(
        "api-linear-zero-in",
        "call",
        "Linear: in_features must be a whole number ≥ 1, got 0",
        action=lambda c: Linear(0, 5),
    ),
    Row(
        "api-linear-negative-out",
        "call",
        "Linear: out_features must be a whole number ≥ 1, got -1",
        action=lambda c: Linear(5, -1),
    ),
    Row(
        "api-linear-string-in",
        "call",
        "Linear: in_features must be a whole number ≥ 1, got '3'",
        action=lambda c: Linear("3", 4),
    ),
    Row(
        "api-linear-bias-not-bool",
        "call",
        "Linear: bias must be True or False, got 'no'",
        action=lambda c: Linear(3, 4, bias="no"),
    ),
    Row("api-linear-bad-rng", "call", "rng must be a numpy.random.Generator", action=lambda c: Linear(3, 4, rng=5)),
    Row(
        "api-lstm-bool-hidden-size",
        "call",
        "LSTM: hidden_size must be a whole number ≥ 1, got True",
        action=lambda c: LSTM(3, True),
    ),
    Row(
        "api-lstm-int-dtype",
        "call",
        "LSTM: dtype must be float32 or float64",
        action=lambda c: LSTM(3, 4, dtype=np.int32),
    ),
    Row(
        "api-lstm-string-dropout",
        "call",
        "LSTM: dropout must be a number in [0, 1), got '0.5'",
        action=lambda c: LSTM(3, 4, num_layers=2, dropout="0.5"),
    ),
    Row(
        "api-dropout-string-p",
        "call",
        "Dropout: p must be a number in [0, 1), got '0.5'",
        action=lambda c: Dropout("0.5"),
    ),
    Row(
        "api-locked-dropout-string-p",
        "call",
        "LockedDropout: p must be a number in [0, 1), got '0.5'",
        action=lambda c: LockedDropout("0.5"),
    ),
    Row("api-dropout-p-one", "call", "Dropout: p must be a number in [0, 1), got 1.0", action=lambda c: Dropout(p=1.0)),
    Row("api-dropout-p-x", "call", "Dropout: p must be a number in [0, 1), got 'x'", action=lambda c: Dropout(p="x")),
    Row("api-dropout-list-input", "call", "Dropout input must be a NumPy array", action=lambda c: Dropout(0.5)([1.0])),
    Row(
        "api-parameter-int-data",
        "call",
        "Parameter data must be a floating-point array, got int64",
        action=lambda c: Parameter(np.arange(3)),
    ),
    Row(
        "api-module-to-int",
        "call",
        "to() needs float32 or float64, got int32",
        action=lambda c: Linear(2, 3).to(np.int32),
    ),
    Row(
        "api-load-state-dict-not-a-dict",
        "call",
        "load_state_dict needs a dict",
        action=lambda c: Linear(2, 3).load_state_dict(None),
    ),
    Row(
        "api-classifier-1d-ids",
        "call",
        "SequenceClassifier needs ids as a NumPy array (N, T)",
        action=lambda c: classifier()(np.array([1, 2, 3])),
    ),
    # -- empty batches work, as in torch ---------------------------------------------------
    Row("api-lstm-empty-batch", "call", action=empty_batch(LSTM), status=0),
    Row("api-gru-empty-batch-bidirectional", "call", action=empty_batch(GRU, bidirectional=True), status=0),
    Row("api-rnn-empty-batch", "call", action=empty_batch(RNN, dropout=0.5), status=0),
    # -- generate --------------------------------------------------------------------------
    Row(
        "api-generate-fractional-length",
        "call",
        "length (--length) must be a whole number ≥ 0, got 2.5",
        action=generate_with(length=2.5),
    ),
    Row(
        "api-generate-fractional-top-k",
        "call",
        "top_k (--top-k) must be a whole number ≥ 1, got 2.5",
        action=generate_with(top_k=2.5),
    ),
    Row(
        "api-generate-zero-top-k",
        "call",
        "top_k (--top-k) must be a whole number ≥ 1, got 0",
        action=generate_with(top_k=0),
    ),
    Row(
        "api-generate-nan-temperature",
        "call",
        "temperature (--temperature) must be a finite number > 0, got nan",
        action=generate_with(temperature=float("nan")),
    ),
    Row(
        "api-generate-inf-temperature",
        "call",
        "temperature (--temperature) must be a finite number > 0, got inf",
        action=generate_with(temperature=float("inf")),
    ),
    Row(
        "api-generate-negative-temperature",
        "call",
        "temperature (--temperature) must be a finite number > 0, got -1",
        action=generate_with(temperature=-1),
    ),
    Row(
        "api-generate-nan-top-p",
        "call",
        "top_p (--top-p) must be a number in (0, 1], got nan",
        action=generate_with(top_p=float("nan")),
    ),
    Row(
        "api-generate-negative-seed",
        "call",
        "seed must be a whole number ≥ 0, got -1",
        action=generate_with(seed=-1),
    ),
    Row(
        "api-generate-string-seed",
        "call",
        "seed must be a whole number ≥ 0, got 'abc'",
        action=generate_with(seed="abc"),
    ),
    Row(
        "api-generate-empty-prompt",
        "call",
        "the prompt must be a non-empty sequence of token ids",
        action=generate_with(prompt_ids=[]),
    ),
    Row(
        "api-generate-prompt-outside-vocabulary",
        "call",
        "prompt id 25 is outside the model's vocabulary of 20",
        action=generate_with(prompt_ids=[1, 25]),
    ),
    Row(
        "api-generate-text-prompt",
        "call",
        "the prompt must hold integer token ids",
        action=generate_with(prompt_ids=["the", "cat"]),
    ),
    # -- the library's generator -----------------------------------------------------------
    Row("api-seed-negative", "call", "seed must be a whole number ≥ 0, got -1", action=lambda c: gatedrnn.seed(-1)),
    Row("api-seed-string", "call", "seed must be a whole number ≥ 0, got 'abc'", action=lambda c: gatedrnn.seed("abc")),
    Row("api-seed-fractional", "call", "seed must be a whole number ≥ 0, got 2.5", action=lambda c: gatedrnn.seed(2.5)),
    # -- optimizers ------------------------------------------------------------------------
    Row("api-optimizer-negative-lr", "call", "SGD lr must be in [0.0, inf], got -5.0", action=optimizer_with("lr", -5)),
    Row(
        "api-optimizer-nan-lr",
        "call",
        "SGD lr must be a finite number, got nan",
        action=optimizer_with("lr", float("nan")),
    ),
    Row(
        "api-optimizer-inf-lr",
        "call",
        "Adam lr must be a finite number, got inf",
        action=optimizer_with("lr", float("inf"), make=lambda p: Adam(p)),
    ),
    Row(
        "api-optimizer-string-lr",
        "call",
        "SGD lr must be a finite number, got '0.1'",
        action=optimizer_with("lr", "0.1"),
    ),
    Row(
        "api-optimizer-lr-zero-at-start",
        "call",
        "SGD lr must be > 0 to start with",
        action=lambda c: SGD([Parameter(np.ones(2))], lr=0),
    ),
    Row(
        "api-optimizer-negative-momentum-later",
        "call",
        "SGD momentum must be in [0.0, inf], got -0.5",
        action=optimizer_with("momentum", -0.5),
    ),
    Row(
        "api-optimizer-bad-betas-later",
        "call",
        "Adam betas[1] must be in [0.0, 1.0), got 1.5",
        action=optimizer_with("betas", (0.9, 1.5), make=lambda p: Adam(p)),
    ),
    Row("api-optimizer-lr-lowered-to-zero", "call", action=lr_lowered_to_zero, status=0),
    # -- clipping --------------------------------------------------------------------------
    Row(
        "api-clip-nan-max-norm",
        "call",
        "clip_grad_norm max_norm must be a positive number, got nan",
        action=lambda c: clip_grad_norm([Parameter(np.ones(2))], float("nan")),
    ),
    Row(
        "api-clip-negative-max-norm",
        "call",
        "clip_grad_norm max_norm must be a positive number, got -1",
        action=lambda c: clip_grad_norm([Parameter(np.ones(2))], -1),
    ),
    Row(
        "api-clip-zero-norm-type",
        "call",
        "clip_grad_norm norm_type must be a positive number, got 0",
        action=lambda c: clip_grad_norm([Parameter(np.ones(2))], 1.0, norm_type=0),
    ),
    # -- initialisers ----------------------------------------------------------------------
    Row(
        "api-init-int-array",
        "call",
        "xavier_uniform_ fills a Parameter or a float ndarray in place",
        action=lambda c: init.xavier_uniform_(np.zeros((3, 4), np.int32)),
    ),
    Row(
        "api-init-negative-gain",
        "call",
        "xavier_normal_ gain must be ≥ 0, got -1.0",
        action=lambda c: init.xavier_normal_(np.zeros((3, 4)), gain=-1),
    ),
    Row(
        "api-init-nan-gain",
        "call",
        "orthogonal_ gain must be a finite number, got nan",
        action=lambda c: init.orthogonal_(np.zeros((3, 4)), gain=float("nan")),
    ),
    Row(
        "api-init-bad-mode",
        "call",
        "kaiming_uniform_ mode must be 'fan_in' or 'fan_out'",
        action=lambda c: init.kaiming_uniform_(np.zeros((3, 4)), mode="fan_avg"),
    ),
    Row(
        "api-init-default-uniform-size",
        "call",
        "default_uniform_ hidden_size must be a whole number ≥ 1, got 0; pass a whole number ≥ 1, the layer's "
        "hidden size",
        action=lambda c: init.default_uniform_(np.zeros((3, 4)), hidden_size=0),
    ),
    # -- the adaptive softmax of a language model (ModelConfig.adaptive_softmax) ---------------
    Row(
        "api-adaptive-softmax-tied",
        "call",
        "adaptive_softmax cannot share the embedding with the read-out",
        action=lambda c: ModelConfig(vocab_size=50, adaptive_softmax=(10, 20)),
    ),
    Row(
        "api-adaptive-softmax-decreasing",
        "call",
        "adaptive_softmax must be increasing whole numbers ≥ 1",
        action=lambda c: ModelConfig(tie_weights=False, adaptive_softmax=(20, 10)),
    ),
    Row(
        "api-adaptive-softmax-not-numbers",
        "call",
        "adaptive_softmax must be increasing whole numbers ≥ 1",
        action=lambda c: ModelConfig(tie_weights=False, adaptive_softmax="most"),
    ),
    Row(
        "api-adaptive-softmax-beyond-vocab",
        "call",
        "adaptive_softmax cutoff 50 is not below the vocabulary's 50 tokens",
        action=lambda c: ModelConfig(vocab_size=50, tie_weights=False, adaptive_softmax=[10, 50]),
    ),
    Row(
        "api-adaptive-softmax-too-narrow",
        "call",
        "adaptive_softmax (--adaptive-softmax) with 2 tail cluster(s) needs hidden_size (--hidden-size) ≥ 16",
        action=lambda c: ModelConfig(hidden_size=8, embedding_size=8, tie_weights=False, adaptive_softmax=(5, 9)),
    ),
    Row(
        "api-adaptive-softmax-auto-unresolved",
        "call",
        "adaptive_softmax is still 'auto'; choose the cutoffs from the corpus first",
        action=lambda c: LanguageModel(ModelConfig(vocab_size=50, tie_weights=False, adaptive_softmax="auto")),
    ),
    Row(
        "api-adaptive-softmax-checkpoint-settings",
        "call",
        "adaptive_softmax cannot share the embedding with the read-out",
        action=lambda c: ModelConfig.from_dict(
            dict(ModelConfig(vocab_size=50).to_dict(), adaptive_softmax=[10, 20]), source="x.npz's model settings"
        ),
    ),
    # -- its division (ModelConfig.adaptive_div_value): > 0, and leaving each cluster a feature ---------
    Row(
        "api-adaptive-div-value-zero",
        "call",
        "adaptive_div_value (--adaptive-div-value) must be a finite number > 0, got 0",
        action=lambda c: ModelConfig(tie_weights=False, adaptive_softmax=(10,), adaptive_div_value=0),
    ),
    Row(
        "api-adaptive-div-value-negative",
        "call",
        "adaptive_div_value (--adaptive-div-value) must be a finite number > 0, got -1",
        action=lambda c: ModelConfig(adaptive_div_value=-1),
    ),
    Row(
        "api-adaptive-div-value-nan",
        "call",
        "adaptive_div_value (--adaptive-div-value) must be a finite number > 0, got nan",
        action=lambda c: ModelConfig(tie_weights=False, adaptive_softmax=(10,), adaptive_div_value=float("nan")),
    ),
    Row(
        "api-adaptive-div-value-text",
        "call",
        "adaptive_div_value (--adaptive-div-value) must be a finite number > 0, got '2'",
        action=lambda c: ModelConfig(adaptive_div_value="2"),
    ),
    Row(
        "api-adaptive-div-value-too-large-for-hidden-size",
        "call",
        "with 2 tail cluster(s) needs hidden_size (--hidden-size) ≥ 9 (tail cluster k = 1, 2, … projects to "
        "hidden_size // div^k features, div = adaptive_div_value (--adaptive-div-value) = 3)",
        action=lambda c: ModelConfig(
            hidden_size=8, embedding_size=8, tie_weights=False, adaptive_softmax=(5, 9), adaptive_div_value=3
        ),
    ),
    Row(
        "api-adaptive-div-value-checkpoint-settings",
        "call",
        "x.npz's model settings: adaptive_div_value (--adaptive-div-value) must be a finite number > 0, got 0",
        action=lambda c: ModelConfig.from_dict(
            dict(ModelConfig(vocab_size=50).to_dict(), adaptive_div_value=0), source="x.npz's model settings"
        ),
    ),
    Row(
        "api-adaptive-div-value-cli-text",
        "cli",
        "argument --adaptive-div-value: invalid float value: 'four'",
        args=lambda c: adaptive_train(c, "--adaptive-div-value", "four"),
    ),
    Row(
        "api-adaptive-div-value-cli-zero",
        "cli",
        "adaptive_div_value (--adaptive-div-value) must be a finite number > 0, got 0.0",
        args=lambda c: adaptive_train(c, "--adaptive-div-value", "0"),
    ),
    Row(
        "api-adaptive-div-value-cli-nan",
        "cli",
        "adaptive_div_value (--adaptive-div-value) must be a finite number > 0, got nan",
        args=lambda c: adaptive_train(c, "--adaptive-div-value", "nan"),
    ),
    Row(
        "api-adaptive-div-value-cli-too-large-for-hidden-size",
        "cli",
        "with 1 tail cluster(s) needs hidden_size (--hidden-size) ≥ 101",  # rnnlm: H = 100
        args=lambda c: adaptive_train(c, "--adaptive-div-value", "100.5"),
    ),
    Row(
        "api-vocab-order-unknown",
        "call",
        "vocabulary order must be 'appearance' or 'frequency'",
        action=lambda c: DataSettings(vocab_order="zipf"),
    ),
    Row(
        "api-adaptive-softmax-cli-tied",
        "cli",
        "adaptive_softmax cannot share the embedding with the read-out",
        args=lambda c: [
            "train",
            "--text",
            str(c.corpus),
            "--preset",
            "better-rnnlm",
            "--adaptive-softmax",
            "auto",
            "--out",
            str(c.tmp / "adaptive-tied"),
        ],
    ),
    Row(
        "api-adaptive-softmax-cli-bad-text",
        "cli",
        "adaptive_softmax must be increasing whole numbers ≥ 1 such as 2000,6000, or auto, got '2000;6000'",
        args=lambda c: adaptive_train(c, cutoffs="2000;6000"),
    ),
]
