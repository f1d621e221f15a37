"""TorchEngine: the Trainer's steps computed by PyTorch — on the CPU, a GPU, or many processes.

``gatedrnn train --engine torch`` keeps everything that makes a gatedrnn run what it is — the
preset, the initial weights (built by gatedrnn, copied with to_torch), the TBPTT windows and
their order, the learning-rate schedule, the non-finite policy, the checkpoints — and hands
only the arithmetic of each step to PyTorch (gatedrnn.lm.engine):

    logits, state = module(inputs, state)              state carried, detached, between windows
    loss = F.cross_entropy(logits, targets)            × T when loss_sum_over_time; with an adaptive
                                                       softmax module.loss: torch's AdaptiveLogSoftmaxWithLoss
    loss.backward()
    ‖g‖ = torch.nn.utils.clip_grad_norm_(trainable, clip)   the same factor min(clip/(‖g‖+1e-6), 1)
    if loss or ‖g‖ is nan/inf: no update               (the Trainer stops or skips, as with NumPy)
    torch.optim.SGD / Adam .step()                     the same rule as gatedrnn.optim's

Weights and optimizer buffers are copied back into the gatedrnn model and optimizer before
every save, so best.npz and last.npz are ordinary gatedrnn checkpoints: eval, generate, the
lab and ``--resume`` (with either engine) read them.

**Many processes.** Started by ``torchrun --nproc_per_node=K``, each process takes a K-th of
the N streams of every window (rows k·N/K … (k+1)·N/K - 1) and, after its backward pass,
the processes average their gradients in one all-reduce (gloo on CPUs, NCCL on GPUs); since
every share has the same number of tokens, that average is the gradient of the whole
batch's mean loss, so the run is the one-process run with its arithmetic spread out. The
processes agree on the loss they report and on when to stop; only process 0 writes files,
after gathering every process's carried state. Each process evaluates the whole split itself.
At exit each process destroys the process group (``_leave_process_group``), so that none of
gloo's threads runs on into the interpreter's shutdown.

What differs from the NumPy engine: dropout masks come from torch's generator (seeded from
the run's seed, the step and the process, so a resumed run draws the same ones), and the
settings torch has no layer for (locked, recurrent and embedding dropout, weight drop, skip
connections between layers) and AR/TAR (penalties in gatedrnn's loss) are refused.

**Either, by timing.** ``--engine auto`` (``auto_engine``) builds both engines on the CPU and
hands them to gatedrnn.lm.engine_choice.AutoEngine, which times the first steps of the run
on each and keeps the faster; what torch cannot run here trains with NumPy, and the line
announcing the choice says why.
"""

import atexit
import os
from contextlib import contextmanager

import numpy as np

from .. import threads
from ..errors import GatedRNNError
from ..lm.engine import NumpyEngine, threads_settled
from ..lm.engine_choice import AutoEngine
from ..optim import OPTIMIZERS as OPTIMIZER_CLASSES
from ..thread_tuner import ThreadTuner
from ..training import StepResult
from . import _torch, to_torch

# Model settings the TorchLanguageModel has no layer (or, for AR/TAR, no loss term) for, with the
# value that turns each off.
UNSUPPORTED_SETTINGS = {
    "locked_dropout": False,
    "recurrent_dropout": 0.0,
    "weight_drop": 0.0,
    "embedding_dropout": 0.0,
    "activation_reg": 0.0,
    "temporal_activation_reg": 0.0,
    "residual": False,
}
OPTIMIZERS = ("SGD", "Adam")


def process_rank():
    """This process's rank in a torchrun launch (0 when not launched by torchrun)."""
    return int(os.environ.get("RANK", "0"))


def world_size():
    """The number of processes of a torchrun launch (1 when not launched by torchrun)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def unsupported_setting(model_config):
    """The option of the first model setting the torch engine has no layer for (e.g. "locked-dropout"), or None."""
    for name, off in UNSUPPORTED_SETTINGS.items():
        if getattr(model_config, name) != off:
            return name.replace("_", "-")
    return None


def check_supported(model_config, training):
    """One line naming the first setting the torch engine cannot run, and what to do instead."""
    option = unsupported_setting(model_config)
    if option is not None:
        raise GatedRNNError(
            f"--engine torch has no {option} (gatedrnn has no torch counterpart for it); "
            f"train it with the NumPy engine, or drop --{option}"
        )
    _check_optimizer(OPTIMIZER_CLASSES[training.optimizer].__name__)
    processes = world_size()
    if training.batch_size % processes:
        raise GatedRNNError(
            f"--batch-size {training.batch_size} does not split evenly over {processes} processes; "
            f"use a multiple of {processes}, so that every process takes the same number of streams"
        )


def _check_optimizer(name):
    """GatedRNNError unless the torch engine can run the optimizer class ``name``."""
    if name not in OPTIMIZERS:
        raise GatedRNNError(f"--engine torch runs SGD and Adam, not {name}; use --engine numpy for it")


def auto_engine(model, optimizer, config):
    """``--engine auto``: the NumPy and the torch engine on the CPU, each timed on the first steps
    of the run, the faster kept (gatedrnn.lm.engine_choice.AutoEngine).

    When torch cannot run this model here — PyTorch missing, a setting it has no layer for, an
    optimizer other than SGD and Adam — the run trains with NumPy, and the line that announces
    the choice says why; that is not an error. So it does in deterministic mode
    (``--deterministic``, ``gatedrnn.use_deterministic(True)``): the engines' float32 digits
    differ, and a choice by timing would let the machine's load decide which ones a seed gives.
    A launch of several processes (torchrun) is an error: auto compares engines in one process.
    """
    numpy_engine = NumpyEngine(model, optimizer, config.clip)
    why_not = _why_torch_cannot_run(model, optimizer)
    if why_not is not None:
        return AutoEngine([numpy_engine], not_tried=dict(torch=why_not))
    return AutoEngine([numpy_engine, TorchEngine(model, optimizer, config)])


def _why_torch_cannot_run(model, optimizer):
    """Why the torch engine cannot train ``model`` with ``optimizer`` in this process, or None."""
    if world_size() > 1:
        raise GatedRNNError(
            f"--engine auto runs in one process, not {world_size()} (torchrun); use --engine torch across processes"
        )
    if threads.is_deterministic():
        return "deterministic mode: a choice by timing would let the load decide the digits; --engine torch runs it"
    try:
        _torch()
    except GatedRNNError:
        return "PyTorch is not installed; pip install gatedrnn[torch] to try it"
    option = unsupported_setting(model.config)
    if option is not None:
        return f"it has no {option} (gatedrnn has no torch counterpart for it)"
    if type(optimizer).__name__ not in OPTIMIZERS:
        return f"it runs SGD and Adam, not {type(optimizer).__name__}"
    return None


class TorchEngine:
    """Runs a Trainer's steps with PyTorch (see the module docstring).

    Args: ``model`` the gatedrnn LanguageModel (its weights are the starting point and
    receive the trained ones); ``optimizer`` its gatedrnn SGD or Adam (hyperparameters,
    learning rate and, on save, the buffers); ``config`` the TrainConfig; ``device`` "cpu",
    "cuda" or "cuda:N" (under torchrun, "cuda" means each process's own GPU, LOCAL_RANK).
    """

    name = "torch"

    def __init__(self, model, optimizer, config, device="cpu"):
        self.torch = torch = _torch()
        check_supported(model.config, config)
        _check_optimizer(type(optimizer).__name__)  # the optimizer given, which a Trainer may have replaced
        self.model, self.optimizer, self.config = model, optimizer, config
        self.rank, self.processes = process_rank(), world_size()
        self.device = _device(torch, device, self.processes)
        if threads.is_deterministic():  # refused before any copying; each step checks again
            _check_deterministic_on(self.device)
        self.module = to_torch(model).to(self.device)
        # Parameters by gatedrnn's names; the ones gatedrnn holds fixed (b_hh of an LSTM) stay fixed.
        self.parameters = dict(self.module.named_parameters())
        self.names = _names_in_optimizer_order(model, optimizer)
        for name, param in model.named_parameters():
            if name in self.parameters:
                self.parameters[name].requires_grad_(param.requires_grad)
        self.trainable = [p for p in self.module.parameters() if p.requires_grad]
        self.torch_optimizer = _torch_optimizer(torch, optimizer, self.trainable)
        # The group is joined only now: the first torch.optim optimizer of a process imports
        # torch._dynamo, and imported after the group exists it holds on to the group, whose
        # threads then outlive destroy_process_group (see _leave_process_group).
        self.distributed = self.processes > 1
        if self.distributed:
            _join_process_group(torch, self.device)
        # On a busy CPU, torch's threads wait for each other at every operation: two threads can
        # then be many times slower than one. Steps are timed to choose, as gatedrnn's are.
        candidates = None if self.device.type == "cpu" else (torch.get_num_threads(),)
        self.train_tuner = ThreadTuner(candidates, apply=torch.set_num_threads)
        self.eval_tuner = ThreadTuner(candidates, apply=torch.set_num_threads)
        self.sync_from_model()
        self._broadcast_weights_from_writer()  # every process starts from process 0's weights (as DDP did)

    @property
    def writes_files(self):
        return self.rank == 0

    # -- steps ---------------------------------------------------------------------------------
    def train_step(self, inputs, targets, state, lr, loss_scale, step):
        """One update on this process's streams of the window; returns (StepResult, carried state)."""
        with self.train_tuner.step(units=targets.size), _deterministic_algorithms(self.torch, self.device):
            return self._train_step(inputs, targets, state, lr, loss_scale, step)

    def _train_step(self, inputs, targets, state, lr, loss_scale, step):
        torch = self.torch
        x, y = self._rows(inputs), self._rows(targets)
        if self.model.config.dropout:
            torch.manual_seed(_dropout_seed(self.config.seed, step, self.rank))
        for group in self.torch_optimizer.param_groups:
            group["lr"] = lr
        self.module.train()
        self.torch_optimizer.zero_grad(set_to_none=False)
        scores, state = self.module(x, state)  # logits, or an adaptive softmax's features
        loss = self.module.loss(scores, y)
        (loss * loss_scale).backward()
        self._average_gradients_over_processes()
        # No clipping (clip 0) is a factor of 1: an infinite bound still returns the norm.
        norm = torch.nn.utils.clip_grad_norm_(self.trainable, self.config.clip or float("inf"))
        loss_value = self._mean_over_processes(loss.detach())
        norm_value = float(norm)
        state = _detached(state)
        if not (np.isfinite(loss_value) and np.isfinite(norm_value)):
            return StepResult(loss_value, norm_value, stepped=False), state
        self.torch_optimizer.step()
        self.optimizer.step_count += 1
        self.optimizer.lr = lr
        return StepResult(loss_value, norm_value, stepped=True), state

    def evaluate_nll(self, ids, batch_size, seq_len):
        """Mean nats per token of ``ids``, streams carried across windows, dropout off (as NumPy's)."""
        from ..data import TBPTTBatches

        torch = self.torch
        total, count, state = 0.0, 0, None
        self.module.eval()
        with torch.no_grad():
            for inputs, targets in TBPTTBatches(ids, batch_size, seq_len):
                with self.eval_tuner.step(units=targets.size), _deterministic_algorithms(torch, self.device):
                    scores, state = self.module(self._tensor(inputs), state)  # logits or log-probabilities
                    total += float(self.module.loss(scores, self._tensor(targets), reduction="sum"))
                count += targets.size
        self.module.train()
        return total / count

    # -- weights, buffers and states to and from the gatedrnn model ----------------------------
    def sync_to_model(self):
        """Copy the trained weights and the optimizer's buffers into the gatedrnn model and optimizer."""
        self.model.load_state_dict(
            {name: tensor.detach().cpu().numpy() for name, tensor in self.module.state_dict().items()}
        )
        buffers = {}
        for index, name in enumerate(self.names):
            for key, value in self.torch_optimizer.state.get(self.parameters.get(name), {}).items():
                if key != "step":
                    buffers.setdefault(key, [None] * len(self.names))[index] = value.detach().cpu().numpy().copy()
        self.optimizer.state = buffers

    def sync_from_model(self):
        """Copy the gatedrnn model's weights and its optimizer's buffers into torch (after a load)."""
        torch = self.torch
        self.module.load_state_dict(
            {name: torch.from_numpy(array.copy()) for name, array in self.model.state_dict().items()}
        )
        self.torch_optimizer.state.clear()
        step = self.optimizer.step_count
        for key, arrays in self.optimizer.state.items():
            for name, array in zip(self.names, arrays, strict=True):
                if array is None or name not in self.parameters:
                    continue
                entry = self.torch_optimizer.state[self.parameters[name]]
                entry[key] = torch.from_numpy(array.copy()).to(self.device)
                if type(self.optimizer).__name__ == "Adam":
                    entry["step"] = torch.tensor(float(step), dtype=torch.float32)

    def state_for_checkpoint(self, state):
        """The carried state of all N streams as NumPy arrays (gathered from every process)."""
        if state is None:
            return None
        parts = tuple(self._all_streams(part) for part in (state if isinstance(state, tuple) else (state,)))
        return parts if isinstance(state, tuple) else parts[0]

    def state_from_checkpoint(self, carried):
        """This process's streams of a checkpoint's carried state, as tensors on the device."""
        if carried is None:
            return None
        parts = tuple(
            self._tensor(self._rows_of(np.asarray(part), axis=1), integer=False)
            for part in (carried if isinstance(carried, tuple) else (carried,))
        )
        return parts if isinstance(carried, tuple) else parts[0]

    def take_weights_from_writer(self):
        """Every process takes process 0's weights (it alone loaded best.npz)."""
        if not self.distributed:
            return
        self._broadcast_weights_from_writer()
        self.sync_to_model()

    def _broadcast_weights_from_writer(self):
        if self.distributed:
            for tensor in self.module.state_dict().values():
                self.torch.distributed.broadcast(tensor, src=0)

    # -- agreement between processes -----------------------------------------------------------
    def any_process(self, flag):
        """True on every process when it is True on any (one stop rule for all)."""
        if not self.distributed:
            return bool(flag)
        torch = self.torch
        value = torch.tensor([1.0 if flag else 0.0], device=self.device)
        torch.distributed.all_reduce(value, op=torch.distributed.ReduceOp.MAX)
        return bool(value.item())

    def _average_gradients_over_processes(self):
        """Every process's gradient → their mean, on every process (what DDP would do, without
        DDP: its reducer keeps the process group, and so gloo's threads, alive to the end of the
        interpreter). One all-reduce of all the gradients laid end to end."""
        if not self.distributed:
            return
        torch = self.torch
        for param in self.trainable:
            if param.grad is None:  # a parameter this window did not reach
                param.grad = torch.zeros_like(param)
        flat = torch.cat([param.grad.reshape(-1) for param in self.trainable])
        torch.distributed.all_reduce(flat)
        flat /= self.processes
        offset = 0
        for param in self.trainable:
            param.grad.copy_(flat[offset : offset + param.numel()].view_as(param))
            offset += param.numel()

    def _mean_over_processes(self, loss):
        if self.distributed:
            self.torch.distributed.all_reduce(loss)
            loss = loss / self.processes
        return float(loss)

    def threads_settled(self):
        """Whether training's torch thread count is chosen (see NumpyEngine.threads_settled)."""
        return threads_settled(self.train_tuner)

    def describe_threads(self):
        where = f"torch on {self.device}" + (f", {self.processes} processes" if self.processes > 1 else "")
        return dict(train=f"{where}: {self.train_tuner.describe()}", evaluate=f"{where}: {self.eval_tuner.describe()}")

    # -- rows of the batch ---------------------------------------------------------------------
    def _rows_of(self, array, axis=0):
        """This process's share of the streams (all of them for one process)."""
        share = array.shape[axis] // self.processes
        return np.take(array, np.arange(self.rank * share, (self.rank + 1) * share), axis=axis)

    def _rows(self, ids):
        return self._tensor(self._rows_of(ids))

    def _tensor(self, array, integer=True):
        tensor = self.torch.from_numpy(np.ascontiguousarray(array))
        return (tensor.long() if integer else tensor).to(self.device)

    def _all_streams(self, part):
        """(L, N/K, H) on each process → (L, N, H) NumPy, the processes' streams in rank order."""
        if self.distributed:
            torch = self.torch
            pieces = [torch.empty_like(part) for _ in range(self.processes)]
            torch.distributed.all_gather(pieces, part.contiguous())
            part = torch.cat(pieces, dim=1)
        return part.detach().cpu().numpy()


def _device(torch, device, processes):
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise GatedRNNError(f"--device {device}: PyTorch sees no CUDA GPU here; use --device cpu")
    if device == "cuda" and processes > 1:
        device = f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}"
    try:
        return torch.device(device)
    except RuntimeError:
        raise GatedRNNError(f"--device {device!r} is not a device; use cpu, cuda or cuda:N") from None


def _join_process_group(torch, device):
    """Join the torchrun launch (env:// rendezvous): NCCL between GPUs, gloo between CPUs."""
    distributed = torch.distributed
    if not distributed.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(device)
        distributed.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
        atexit.register(_leave_process_group, torch)  # the group this module joined, this module leaves


def _leave_process_group(torch):
    """At exit: destroy the process group, which ends gloo's threads while the interpreter is whole.

    A group never destroyed keeps gloo's threads (its TCP loop and two workers) running into
    the interpreter's shutdown and the C++ runtime's teardown beneath them; a thread caught
    there half-way (by the other process closing its connections at that moment, say) ends
    the process with SIGABRT although its run was complete. This is why process 0 once died
    so after a run stopped at 5 steps. Nothing here holds the group but torch itself (no DDP,
    whose reducer kept it alive even past destroy_process_group), so destroying it joins the
    threads now.

    No barrier first: after the run's last collective no process uses the group, gloo takes
    a peer's closed connection on an idle link in its stride, and a barrier at exit would
    meet a collective another process still waits in when one process fails (a hang or
    garbled data instead of a prompt error).
    """
    if torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


def _names_in_optimizer_order(model, optimizer):
    """The model's name of each parameter the gatedrnn optimizer holds, in its order."""
    by_identity = {}
    for name, param in model.named_parameters():
        by_identity.setdefault(id(param), name)
    return [by_identity[id(param)] for param in optimizer.params]


def _torch_optimizer(torch, optimizer, parameters):
    """torch.optim's SGD or Adam with the gatedrnn optimizer's hyperparameters."""
    settings = {name: getattr(optimizer, name) for name in optimizer.hyperparameter_names}
    return getattr(torch.optim, type(optimizer).__name__)(parameters, **settings)


@contextmanager
def _deterministic_algorithms(torch, device):
    """torch's deterministic algorithms (``torch.use_deterministic_algorithms``) while
    ``gatedrnn.use_deterministic(True)`` holds, set from Python or by ``--deterministic`` alike;
    torch's own setting again after the step. (The thread count, the other half of determinism,
    is the tuner's: it applies gatedrnn's pinned count to torch before every step.)"""
    if not threads.is_deterministic():
        yield
        return
    _check_deterministic_on(device)
    before = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(before)


# What cuBLAS needs for the same sums twice (torch's reproducibility notes); torch checks it only
# at the first product, with a traceback, after the data has loaded.
DETERMINISTIC_CUBLAS_WORKSPACES = (":4096:8", ":16:8")


def _check_deterministic_on(device):
    """A GPU computes deterministically only with CUBLAS_WORKSPACE_CONFIG set before CUDA starts."""
    if device.type == "cuda" and os.environ.get("CUBLAS_WORKSPACE_CONFIG") not in DETERMINISTIC_CUBLAS_WORKSPACES:
        raise GatedRNNError(
            "deterministic training on a GPU needs CUBLAS_WORKSPACE_CONFIG=:4096:8 (or :16:8) in the "
            "environment; start again with it set, or without --deterministic / use_deterministic(True)"
        )


def _dropout_seed(seed, step, rank):
    """A seed for one step of one process: the same masks again when a run resumes."""
    return ((seed * 1_000_003 + step) * 4096 + rank) % (2**63)


def _detached(state):
    if state is None:
        return None
    return tuple(part.detach() for part in state) if isinstance(state, tuple) else state.detach()
