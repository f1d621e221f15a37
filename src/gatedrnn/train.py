"""Trainer: truncated backpropagation through time over a long corpus.

One training step on window k of the N parallel streams (see data.TBPTTBatches)::

    logits, state = model(inputs_k, state)          state carried in from window k-1 as values
    loss = mean cross-entropy(logits, targets_k)    (× T when loss_sum_over_time, Zaremba et al.)
    grads = backward through the T steps of window k only      — the "truncation"
    clip the global gradient norm to `clip`, then optimizer.step()

After each epoch the model is evaluated (dropout off, state carried across the whole split)
and the learning-rate schedule applied; the best model on validation is kept. A checkpoint
holds everything needed to continue exactly where a run stopped — weights, optimizer
buffers, the random generator, the data position and the carried state.
"""
import json
import math
import time
from pathlib import Path


from . import rng as _rng
from .checkpoint import atomic_write_bytes, load_checkpoint, save_checkpoint
from .clip import clip_coefficient, total_grad_norm
from .data import TBPTTBatches
from .errors import GatedRNNError
from .layers import SoftmaxCrossEntropy
from .optim import SGD, Adam

OPTIMIZERS = {"sgd": SGD, "adam": Adam}
SCHEDULES = ("constant", "plateau", "step")
NONFINITE_POLICIES = ("error", "skip")
MAX_CONSECUTIVE_SKIPS = 10


def validate_training_config(config):
    """Refuse settings that cannot train, each with a one-line reason."""
    checks = [
        (config["lr"] > 0, f"lr must be > 0, got {config['lr']}"),
        (config["batch_size"] >= 1, f"batch_size must be ≥ 1, got {config['batch_size']}"),
        (config["seq_len"] >= 1, f"seq_len (T) must be ≥ 1, got {config['seq_len']}"),
        (config["epochs"] >= 1, f"epochs must be ≥ 1, got {config['epochs']}"),
        (config["eval_batch_size"] >= 1, f"eval_batch_size must be ≥ 1, got {config['eval_batch_size']}"),
        (config["clip"] >= 0, f"clip must be ≥ 0 (0 turns clipping off), got {config['clip']}"),
        (config["lr_decay"] >= 1, f"lr_decay is the divisor applied to the rate and must be ≥ 1, got {config['lr_decay']}"),
        (config["schedule"] in SCHEDULES, f"unknown schedule {config['schedule']!r}; choose one of {', '.join(SCHEDULES)}"),
        (config["optimizer"] in OPTIMIZERS, f"unknown optimizer {config['optimizer']!r}; choose one of {', '.join(OPTIMIZERS)}"),
        (config["on_nonfinite"] in NONFINITE_POLICIES,
         f"on_nonfinite must be one of {', '.join(NONFINITE_POLICIES)}, got {config['on_nonfinite']!r}"),
    ]
    for ok, message in checks:
        if not ok:
            raise GatedRNNError(message)


def evaluate(model, ids, batch_size, seq_len):
    """Mean negative log-likelihood per token (nats) of ``ids`` under ``model``.

    The split is read as ``batch_size`` streams with the state carried across windows, as in
    training, and dropout off. Perplexity is exp of the result.
    """
    was_training = model.training
    model.eval()
    criterion = SoftmaxCrossEntropy(reduction="sum")
    total, count, state = 0.0, 0, None
    for inputs, targets in TBPTTBatches(ids, batch_size, seq_len):
        logits, state = model(inputs, state)
        total += criterion(logits, targets)
        count += targets.size
    model.train(was_training)
    return total / count


class Trainer:
    """Trains a LanguageModel on a Corpus, writing checkpoints and metrics to ``out_dir``.

    Files in ``out_dir``: ``last.npz`` (to resume), ``best.npz`` (best validation perplexity),
    ``metrics.jsonl`` (one JSON object per log line), ``perplexity.png`` (``bits_per_char.png`` for
    character-level corpora).
    """

    def __init__(self, model, corpus, config, out_dir, run_info=None, progress=True, echo=print,
                 log_interval=100, checkpoint_interval=500, on_log=None):
        validate_training_config(config)
        self.model = model
        self.corpus = corpus
        self.config = dict(config)
        self.out_dir = Path(out_dir)
        self.run_info = run_info or {}
        self.progress = progress
        self.echo = echo
        self.log_interval = log_interval
        self.checkpoint_interval = checkpoint_interval
        self.on_log = on_log  # called as on_log(trainer, record) after each training log line
        self.char_level = corpus.vocab.level == "char"
        self.criterion = SoftmaxCrossEntropy()
        self.batches = TBPTTBatches(corpus.train, config["batch_size"], config["seq_len"])
        optimizer_class = OPTIMIZERS[config["optimizer"]]
        self.optimizer = optimizer_class(model.parameters(), lr=config["lr"])
        # Where the run stands; all of it goes into every checkpoint.
        self.epoch, self.window, self.step = 0, 0, 0
        self.state = None
        self.best_valid_ppl = math.inf
        self.plateau_divisions = 0   # times the "plateau" schedule has divided the rate
        self.loss_sums = dict(epoch_total=0.0, epoch_count=0, interval_total=0.0, interval_count=0)
        self.history = []
        self.skipped_updates = 0     # non-finite steps skipped (on_nonfinite="skip")
        self.consecutive_skips = 0

    # -- the loop --------------------------------------------------------------------------
    def fit(self):
        """Train until ``epochs`` are done; returns a summary dict (perplexities, times)."""
        cfg = self.config
        if self.batches.dropped_tokens:
            self.echo(f"note: the last {self.batches.dropped_tokens} training tokens do not fill the "
                      f"{cfg['batch_size']} streams and are not used")
        started = time.perf_counter()
        while self.epoch < cfg["epochs"]:
            self.optimizer.lr = self._scheduled_lr()
            train_loss = self._train_epoch()
            valid_ppl = math.exp(evaluate(self.model, self.corpus.valid, cfg["eval_batch_size"], cfg["seq_len"]))
            self._end_epoch(train_loss, valid_ppl)
        return self._finish(time.perf_counter() - started)

    def _train_epoch(self):
        """Run the windows of the current epoch from ``self.window``; returns the epoch's mean loss."""
        cfg = self.config
        window_count = len(self.batches)
        bar = _progress_bar(window_count, self.window, f"epoch {self.epoch + 1}/{cfg['epochs']}", self.progress)
        sums = self.loss_sums
        tokens, tick = 0, time.perf_counter()
        for index, inputs, targets in self.batches.windows(self.window):
            outcome = self._train_step(inputs, targets)
            self.window, self.step = index + 1, self.step + 1
            bar.update(1)
            if outcome is not None:  # None: a non-finite step was skipped, nothing to average
                loss, grad_norm = outcome
                for part in ("epoch", "interval"):
                    sums[f"{part}_total"] += loss
                    sums[f"{part}_count"] += 1
                tokens += targets.size
                if self.step % self.log_interval == 0 or self.window == window_count:
                    self._log_interval(grad_norm, tokens / (time.perf_counter() - tick), bar)
                    tokens, tick = 0, time.perf_counter()
            if self.step % self.checkpoint_interval == 0:
                self.save(self.out_dir / "last.npz")
        bar.close()
        mean = sums["epoch_total"] / max(sums["epoch_count"], 1)
        sums["epoch_total"], sums["epoch_count"] = 0.0, 0
        return mean

    def _log_interval(self, grad_norm, tokens_per_s, bar):
        """Log the mean loss since the last log line, then start a new interval."""
        sums = self.loss_sums
        mean = sums["interval_total"] / sums["interval_count"]
        ppl = math.exp(min(mean, 50))  # the cap keeps a diverging run's log readable
        record = self._log(kind="train", epoch=self.epoch + self.window / len(self.batches), step=self.step,
                           loss=mean, ppl=ppl, bits=mean / math.log(2), lr=self.optimizer.lr, grad_norm=grad_norm,
                           tokens_per_s=tokens_per_s)
        shown = dict(bpc=f"{mean / math.log(2):.3f}") if self.char_level else dict(ppl=f"{ppl:.1f}")
        bar.set_postfix(**shown, lr=f"{self.optimizer.lr:.3g}", refresh=False)
        sums["interval_total"], sums["interval_count"] = 0.0, 0
        if self.on_log is not None:
            self.on_log(self, record)

    def _train_step(self, inputs, targets):
        cfg = self.config
        logits, self.state = self.model(inputs, self.state)
        loss = self.criterion(logits, targets)
        # Zaremba et al. sum the loss over the window's steps: the same gradient times T.
        scale = targets.shape[1] if cfg["loss_sum_over_time"] else 1.0
        self.model.zero_grad()
        self.model.backward(self.criterion.backward(scale))
        total_norm = total_grad_norm(self.model.parameters())
        grad_norm = float(total_norm)
        if not (math.isfinite(loss) and math.isfinite(grad_norm)):
            self._handle_nonfinite(loss, grad_norm)
            return None
        self.consecutive_skips = 0
        # Clipping as part of the update: the same as clip_grad_norm then step(), one pass fewer.
        self.optimizer.step(grad_scale=clip_coefficient(total_norm, cfg["clip"]) if cfg["clip"] > 0 else 1.0)
        return loss, grad_norm

    def _handle_nonfinite(self, loss, grad_norm):
        """A nan/inf loss or gradient norm: stop (``on_nonfinite="error"``) or skip the update."""
        where = f"at step {self.step + 1} (epoch {self.epoch + 1}, window {self.window + 1})"
        if self.config["on_nonfinite"] == "error":
            raise GatedRNNError(f"the loss or gradient became non-finite {where}: loss {loss}, gradient norm "
                                f"{grad_norm}; lower the learning rate, clip harder, or pass --on-nonfinite skip")
        self.skipped_updates += 1
        self.consecutive_skips += 1
        self.state = None  # a nan state would poison every later window
        self._log(kind="nonfinite", epoch=self.epoch + self.window / len(self.batches), step=self.step + 1,
                  loss=str(loss), grad_norm=str(grad_norm))
        self.echo(f"warning: non-finite loss or gradient {where}; update skipped")
        if self.consecutive_skips >= MAX_CONSECUTIVE_SKIPS:
            raise GatedRNNError(f"{MAX_CONSECUTIVE_SKIPS} updates in a row were non-finite {where}; training is not "
                                "recovering: lower the learning rate or clip harder")

    def _end_epoch(self, train_loss, valid_ppl):
        cfg = self.config
        improved = valid_ppl < self.best_valid_ppl
        valid_bits = math.log2(valid_ppl)
        self._log(kind="valid", epoch=self.epoch + 1, step=self.step, train_ppl=math.exp(min(train_loss, 50)),
                  valid_ppl=valid_ppl, train_bits=train_loss / math.log(2), valid_bits=valid_bits,
                  lr=self.optimizer.lr, best=improved)
        if self.char_level:
            scores = f"train bpc {train_loss / math.log(2):6.3f} | valid bpc {valid_bits:6.3f}"
        else:
            scores = f"train ppl {math.exp(min(train_loss, 50)):8.2f} | valid ppl {valid_ppl:8.2f}"
        self.echo(f"epoch {self.epoch + 1:3d} | lr {self.optimizer.lr:8.4g} | {scores}{'  (best)' if improved else ''}")
        if improved:
            self.best_valid_ppl = valid_ppl
        elif cfg["schedule"] == "plateau":
            self.plateau_divisions += 1
        self.epoch, self.window, self.state = self.epoch + 1, 0, None
        if improved:
            self.save(self.out_dir / "best.npz")
        self.save(self.out_dir / "last.npz")
        self._plot()

    def _scheduled_lr(self):
        cfg = self.config
        if cfg["schedule"] == "step":
            return cfg["lr"] / cfg["lr_decay"] ** max(self.epoch + 1 - cfg["decay_start"], 0)
        if cfg["schedule"] == "plateau":
            return cfg["lr"] / cfg["lr_decay"] ** self.plateau_divisions
        return cfg["lr"]

    def _finish(self, seconds):
        cfg = self.config
        best_path = self.out_dir / "best.npz"
        if best_path.exists():
            self.load(best_path, weights_only=True)
        valid_ppl = self.best_valid_ppl  # measured on these very weights when they were saved
        # A corpus may come without a test split (the demo holds out one 10% for validation only).
        test_ppl = (math.exp(evaluate(self.model, self.corpus.test, cfg["eval_batch_size"], cfg["seq_len"]))
                    if self.corpus.test is not None else None)
        test_bits = math.log2(test_ppl) if test_ppl is not None else None
        self._log(kind="test", epoch=self.epoch, step=self.step, valid_ppl=valid_ppl, test_ppl=test_ppl,
                  valid_bits=math.log2(valid_ppl), test_bits=test_bits)
        if self.char_level:
            test_part = f" | test bpc {test_bits:.3f}" if test_ppl is not None else ""
            self.echo(f"best model: valid bpc {math.log2(valid_ppl):.3f}{test_part}")
        else:
            test_part = f" | test ppl {test_ppl:.2f}" if test_ppl is not None else ""
            self.echo(f"best model: valid ppl {valid_ppl:.2f}{test_part}")
        return dict(valid_ppl=valid_ppl, test_ppl=test_ppl, valid_bits=math.log2(valid_ppl),
                    test_bits=test_bits, seconds=seconds, steps=self.step,
                    tokens=self.step * cfg["batch_size"] * cfg["seq_len"])

    # -- records ---------------------------------------------------------------------------
    def _log(self, **record):
        record = {key: (round(value, 6) if isinstance(value, float) else value) for key, value in record.items()}
        self.history.append(record)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        with open(self.out_dir / "metrics.jsonl", "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        return record

    @property
    def plot_path(self):
        """perplexity.png for word-level runs, bits_per_char.png for character-level ones."""
        return self.out_dir / ("bits_per_char.png" if self.char_level else "perplexity.png")

    def _plot(self):
        from .plotting import plot_training_curves
        plot_training_curves(self.history, self.plot_path, unit="bits" if self.char_level else "ppl",
                             title=self.run_info.get("preset", ""))

    # -- checkpoints -----------------------------------------------------------------------
    def save(self, path):
        """Write a checkpoint from which ``load`` continues this run exactly."""
        arrays = {f"model/{name}": array for name, array in self.model.state_dict().items()}
        optimizer_state = self.optimizer.state_dict()
        arrays.update({f"optimizer/{name}": array for name, array in optimizer_state["arrays"].items()})
        carried = () if self.state is None else (self.state if isinstance(self.state, tuple) else (self.state,))
        arrays.update({f"carried/{i}": part for i, part in enumerate(carried)})
        metadata = dict(
            model=self.model.config, vocab=self.corpus.vocab.to_dict(), training=self.config, run=self.run_info,
            optimizer=optimizer_state["hyperparameters"], rng=_rng.get_state(),
            position=dict(epoch=self.epoch, window=self.window, step=self.step,
                          plateau_divisions=self.plateau_divisions, loss_sums=self.loss_sums,
                          skipped_updates=self.skipped_updates, consecutive_skips=self.consecutive_skips),
            best_valid_ppl=None if math.isinf(self.best_valid_ppl) else self.best_valid_ppl,
            history=self.history, dtype=str(self.model.dtype),
        )
        save_checkpoint(path, arrays, metadata)

    def load(self, path, weights_only=False):
        """Restore a checkpoint written by ``save`` (all of the run's state unless ``weights_only``)."""
        arrays, metadata = load_checkpoint(path)
        missing = [key for key in ("model", "vocab", "training", "optimizer", "rng", "position", "history")
                   if key not in metadata]
        if missing:
            raise GatedRNNError(f"{path} lacks {', '.join(missing)}; it is not a checkpoint written by the Trainer")
        if metadata["vocab"].get("tokens") != self.corpus.vocab.to_dict()["tokens"]:
            raise GatedRNNError(f"{path} was trained with another vocabulary ({len(metadata['vocab'].get('tokens', []))} "
                                f"tokens; this corpus has {len(self.corpus.vocab)}); use the corpus it was trained on")
        if not weights_only:
            _check_same_settings(path, "model", metadata["model"], self.model.config)
            _check_same_settings(path, "training", metadata["training"], self.config)
        self.model.load_state_dict({k[6:]: v for k, v in arrays.items() if k.startswith("model/")})
        if weights_only:
            return
        self.optimizer.load_state_dict(dict(hyperparameters=metadata["optimizer"],
                                            arrays={k[10:]: v for k, v in arrays.items() if k.startswith("optimizer/")}))
        _rng.set_state(metadata["rng"])
        position = metadata["position"]
        self.epoch, self.window, self.step = position["epoch"], position["window"], position["step"]
        self.plateau_divisions = position["plateau_divisions"]
        self.loss_sums = dict(position["loss_sums"])
        self.skipped_updates = position["skipped_updates"]
        self.consecutive_skips = position["consecutive_skips"]
        self.best_valid_ppl = metadata["best_valid_ppl"] or math.inf
        self.history = metadata["history"]
        carried = [arrays[f"carried/{i}"] for i in range(len([k for k in arrays if k.startswith("carried/")]))]
        self.state = None if not carried else (tuple(carried) if len(carried) > 1 else carried[0])
        # Rewrite the metrics file to match the checkpoint, dropping lines logged after it.
        lines = "".join(json.dumps(record) + "\n" for record in self.history)
        atomic_write_bytes(self.out_dir / "metrics.jsonl", lines.encode("utf-8"))


def _check_same_settings(path, section, saved, current):
    """Resuming with other settings would silently make a different run: refuse, naming them."""
    differing = sorted(key for key in set(saved) | set(current) if saved.get(key) != current.get(key))
    if differing:
        shown = ", ".join(f"{key}={saved.get(key)!r} (now {current.get(key)!r})" for key in differing)
        raise GatedRNNError(f"{path} was started with other {section} settings: {shown}; resume with the options "
                            "the run was started with")


def _progress_bar(total, initial, description, enabled):
    from tqdm import tqdm
    return tqdm(total=total, initial=initial, desc=description, unit="win", disable=not enabled,
                dynamic_ncols=True, leave=False)
